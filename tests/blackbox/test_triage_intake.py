# SPDX-License-Identifier: MIT
"""Triage through the real intake path (issue 6): the bureau in the JSON
answer of POST /api/v1/tips comes from the router — a place in the text,
the tipster's county, a registry match — and disagreement or no signal
sends the tip to the city queue (140500).  The reason is stored in
plaintext for staff, so it must never quote what the tipster wrote."""

import json
import sqlite3

from harness import run_tipline

HEADER = "name,credit_code,cma_cert_no,address,county_code,domains\n"
# A valid unified social credit code (GB 32100 check character), the same
# one tests/blackbox/test_institutions.py imports.
REGISTRY = HEADER + (
    "高平市华泰检测有限责任公司,91140581MA0K000016,160412050123,"
    "高平市米山镇,140581,food\n")


def _post(srv, **fields):
    r = srv.request("POST", "/api/v1/tips",
                    body=json.dumps(fields).encode("utf-8"),
                    headers={"Content-Type": "application/json"})
    assert r.status == 201, r
    return json.loads(r.body)


def _tip_row(data_dir, tip_id):
    db = sqlite3.connect("file:%s/tipline.db?mode=ro" % data_dir, uri=True)
    try:
        return db.execute("SELECT bureau, route_reason, needs_review, "
                          "domain, priority, institution_id FROM tips "
                          "WHERE public_id = ?", (tip_id,)).fetchone()
    finally:
        db.close()


def test_router_decides_the_bureau(start_server, tmp_path):
    srv = start_server()
    # A town in the text alone: its county.
    t = _post(srv, summary="检测报告造假",
              details="米山镇的一家检测公司没检测就出报告，疑似秘密标记X17")
    assert t["bureau"] == "140581"
    bureau, reason, review, _, _, _ = _tip_row(srv.data_dir, t["id"])
    assert bureau == "140581" and review == 0
    assert "米山镇" in reason and "秘密标记X17" not in reason

    # The tipster's county and a place elsewhere in the text: the chosen
    # county (strong) wins, the weak one is only mentioned.
    t = _post(srv, summary="报告不实", details="公司在阳城县凤城镇",
              county="140525")
    assert t["bureau"] == "140525"

    # Nothing at all: the city queue, flagged for a person.
    t = _post(srv, summary="举报", details="有机构出具虚假报告")
    assert t["bureau"] == "140500"
    assert _tip_row(srv.data_dir, t["id"])[2] == 1

    # The city's name alone is no signal.
    t = _post(srv, summary="举报", details="晋城市有检测机构造假")
    assert t["bureau"] == "140500"


def test_registry_match_and_conflict(start_server, tmp_path):
    srv = start_server()
    csv = tmp_path / "reg.csv"
    csv.write_text(REGISTRY, encoding="utf-8")
    r = run_tipline("institutions", "import", csv, "--data", srv.data_dir)
    assert r.returncode == 0, r.stderr
    # The registry's county, found from the name with another suffix.
    t = _post(srv, summary="报告造假", details="样品都没取就出了报告",
              institution="高平市华泰检测有限公司")
    assert t["bureau"] == "140581"
    row = _tip_row(srv.data_dir, t["id"])
    assert row[5] is not None and "高平市华泰检测" in row[1]
    # Registry and chosen county disagree: the city queue, both named.
    t = _post(srv, summary="报告造假", details="数据造假",
              institution="高平市华泰检测有限责任公司", county="140522")
    assert t["bureau"] == "140500"
    reason = _tip_row(srv.data_dir, t["id"])[1]
    assert "高平" in reason and "阳城" in reason
