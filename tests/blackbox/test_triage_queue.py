# SPDX-License-Identifier: MIT
"""The triage queue and its actions (issue 6, design.md "Triage"), against
the real binary: re-routing (the receiving bureau sees the tip at once,
the sending bureau's officer gets 404 afterwards), confirming (the
tipster's follow-up shows "triaged"), invalid / transferred / duplicate
with their reasons, classification (domain, violation, registry
institution), refusals that name the field and change nothing, every
action in the audit log and the tip's history, the queue's order and
extra fields, and related tips by the same report number in the text,
the same attachment and the same institution, bounded by the caller's
scope.  One server for the module; accounts made in its database."""

import json

import pytest

from harness import encode_multipart, make_png, run_tipline
from staff_helpers import (OTHER_BUREAU, OWN_BUREAU, db_exec, db_one,
                           staff_server)

HEADER = "name,credit_code,cma_cert_no,address,county_code,domains\n"
REGISTRY = HEADER + (
    "高平市华泰检测有限责任公司,91140581MA0K000016,160412050123,"
    "高平市米山镇,140581,food\n")
CREDIT_CODE = "91140581MA0K000016"


class World:
    """The module's server and sessions."""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World()
    tmp = tmp_path_factory.mktemp("triage")
    with staff_server(tmp, (("q_admin", "admin", None),
                            ("q_triage", "triage", "140500"),
                            ("q_gp", "officer", OWN_BUREAU),
                            ("q_zz", "officer", OTHER_BUREAU),
                            ("q_audit", "auditor", None))) as (srv, s):
        w.server = srv
        csv = tmp / "reg.csv"
        csv.write_text(REGISTRY, encoding="utf-8")
        r = run_tipline("institutions", "import", csv, "--data",
                        srv.data_dir)
        assert r.returncode == 0, r.stderr
        w.admin, w.triage = s["q_admin"], s["q_triage"]
        w.gp, w.zz, w.auditor = s["q_gp"], s["q_zz"], s["q_audit"]
        yield w


def new_tip(w, county=OWN_BUREAU, details="该机构未实际检测即出具合格报告。",
            summary="检测机构出具虚假报告", png=None, institution=None):
    """A tip through POST /api/v1/tips (multipart); returns its answer
    (id, receipt, bureau, ...)."""
    fields = [("summary", summary), ("details", details)]
    if county:
        fields.append(("county", county))
    if institution:
        fields.append(("institution", institution))
    files = []
    if png is not None:
        files = [("attachments", "证据.png", "image/png", png)]
    ctype, body = encode_multipart(fields, files)
    r = w.server.request("POST", "/api/v1/tips", body=body,
                         headers={"Content-Type": ctype})
    assert r.status == 201, r
    return json.loads(r.body)


def detail(session, tip_id):
    r = session.get("/api/v1/staff/tips/%s" % tip_id)
    assert r.status == 200, r
    return json.loads(r.body)


def error_of(r):
    body = json.loads(r.body)
    return body["error"]


def audit_actions(w, tip_id):
    r = w.auditor.get("/api/v1/staff/audit?object=%s&limit=200" % tip_id)
    assert r.status == 200, r
    return [(e["user"], e["action"], e["reason"])
            for e in json.loads(r.body)["entries"]]


def test_reroute_moves_the_tip_between_bureaus(world):
    w = world
    tip = new_tip(w, OWN_BUREAU)["id"]
    assert w.gp.get("/api/v1/staff/tips/%s" % tip).status == 200
    assert w.zz.get("/api/v1/staff/tips/%s" % tip).status == 404

    r = w.triage.post_json("/api/v1/staff/tips/%s/route" % tip,
                           {"bureau": OTHER_BUREAU,
                            "reason": "发生地在泽州县 The place is in Zezhou"})
    assert r.status == 200, r
    body = json.loads(r.body)
    assert body["bureau"] == OTHER_BUREAU
    assert body["previous_bureau"] == OWN_BUREAU
    # The sending bureau's officer: exactly missing now, page and list.
    assert w.gp.get("/api/v1/staff/tips/%s" % tip).status == 404
    assert w.gp.get("/staff/tips/%s" % tip).status == 404
    assert tip not in w.gp.get("/api/v1/staff/tips?limit=200").body.decode()
    # The receiving bureau sees it at once, with who re-routed and why.
    d = detail(w.zz, tip)
    assert d["bureau"] == OTHER_BUREAU
    assert "q_triage" in d["route_reason"]
    assert "发生地在泽州县" in d["route_reason"]
    assert body["route_reason"] == d["route_reason"]
    assert tip in w.zz.get("/api/v1/staff/tips?limit=200").body.decode()
    assert any(e["kind"] == "route" for e in d["events"])

    # An officer may route a tip of their own bureau (and then loses it),
    # but not one of another bureau (404, nothing changes).
    r = w.gp.post_json("/api/v1/staff/tips/%s/route" % tip,
                       {"bureau": OWN_BUREAU, "reason": "抢回来"})
    assert r.status == 404, r
    r = w.zz.post_json("/api/v1/staff/tips/%s/route" % tip,
                       {"bureau": OWN_BUREAU, "reason": "机构在高平市"})
    assert r.status == 200, r
    assert w.zz.get("/api/v1/staff/tips/%s" % tip).status == 404
    assert w.gp.get("/api/v1/staff/tips/%s" % tip).status == 200
    assert db_one(w.server, "SELECT bureau FROM tips WHERE public_id = ?",
                  (tip,)) == OWN_BUREAU

    actions = audit_actions(w, tip)
    routes = [a for a in actions if a[1] == "tip.route"]
    assert ("q_triage", "tip.route") in [(u, a) for u, a, _ in routes]
    assert ("q_zz", "tip.route") in [(u, a) for u, a, _ in routes]
    assert any("%s -> %s" % (OWN_BUREAU, OTHER_BUREAU) in (why or "")
               for _, _, why in routes)

    # A tip of the city queue waits for a person; routing it decides.
    city = new_tip(w, None, details="有机构出具虚假报告")
    assert city["bureau"] == "140500"
    assert detail(w.triage, city["id"])["needs_review"] is True
    r = w.triage.post_json("/api/v1/staff/tips/%s/route" % city["id"],
                           {"bureau": OWN_BUREAU, "reason": "电话核实在高平"})
    assert r.status == 200, r
    d = detail(w.gp, city["id"])
    assert d["needs_review"] is False and d["bureau"] == OWN_BUREAU
    w.server.assert_alive()


def test_route_refusals_name_the_field_and_change_nothing(world):
    w = world
    tip = new_tip(w, OWN_BUREAU)["id"]
    before = db_one(w.server, "SELECT count(*) FROM audit")
    for body, field in (({"bureau": OTHER_BUREAU}, "reason"),
                        ({"bureau": OTHER_BUREAU, "reason": ""}, "reason"),
                        ({"reason": "x"}, "bureau"),
                        ({"bureau": "999999", "reason": "x"}, "bureau"),
                        ({"bureau": OTHER_BUREAU, "reason": "长" * 501},
                         "reason")):
        r = w.triage.post_json("/api/v1/staff/tips/%s/route" % tip, body)
        assert r.status == 400, (body, r)
        err = error_of(r)
        assert err["field"] == field, (body, err)
        assert field in err["message"], err
    assert db_one(w.server, "SELECT bureau FROM tips WHERE public_id = ?",
                  (tip,)) == OWN_BUREAU
    assert db_one(w.server, "SELECT count(*) FROM tip_events e JOIN tips t "
                  "ON t.id = e.tip_id WHERE t.public_id = ?", (tip,)) == 0
    assert db_one(w.server, "SELECT count(*) FROM audit") == before
    # A body that is not JSON, and an auditor: refused too.
    r = w.triage.server.request(
        "POST", "/api/v1/staff/tips/%s/route" % tip, body="{",
        headers=w.triage.headers(True, {"Content-Type":
                                        "application/json"}))
    assert r.status == 400, r
    r = w.auditor.post_json("/api/v1/staff/tips/%s/route" % tip,
                            {"bureau": OTHER_BUREAU, "reason": "x"})
    assert r.status == 403, r
    w.server.assert_alive()


def test_confirm_shows_triaged_to_the_tipster(world):
    w = world
    tip = new_tip(w, OWN_BUREAU)
    r = w.server.request("POST", "/api/v1/follow-up",
                         body=json.dumps({"receipt": tip["receipt"]}),
                         headers={"Content-Type": "application/json"})
    assert json.loads(r.body)["status"] == "received"
    r = w.gp.post_json("/api/v1/staff/tips/%s/status" % tip["id"],
                       {"status": "triaged"})
    assert r.status == 200, r
    assert json.loads(r.body)["previous_status"] == "received"
    r = w.server.request("POST", "/api/v1/follow-up",
                         body=json.dumps({"receipt": tip["receipt"]}),
                         headers={"Content-Type": "application/json"})
    assert r.status == 200, r
    assert json.loads(r.body)["status"] == "triaged"
    d = detail(w.gp, tip["id"])
    assert d["status"] == "triaged"
    assert [e["kind"] for e in d["events"]] == ["confirm"]
    assert d["events"][0]["user"] == "q_gp"
    assert ("q_gp", "tip.confirm") in [(u, a) for u, a, _ in
                                       audit_actions(w, tip["id"])]


def test_invalid_transferred_duplicate_with_reasons(world):
    w = world
    first = new_tip(w, OWN_BUREAU)["id"]
    dup = new_tip(w, OWN_BUREAU)["id"]
    bad = new_tip(w, OWN_BUREAU)["id"]
    moved = new_tip(w, OWN_BUREAU)["id"]
    url = "/api/v1/staff/tips/%s/status"

    # Refusals: each names its field, nothing changes.
    for tip, body, field in (
            (bad, {"status": "invalid"}, "note"),
            (bad, {"status": "transferred", "note": ""}, "note"),
            (bad, {"note": "x"}, "status"),
            (bad, {"status": "filed", "note": "x"}, "status"),
            (bad, {"status": "closed", "note": "x"}, "status"),
            (bad, {"status": "received", "note": "x"}, "status"),
            (bad, {"status": "bogus", "note": "x"}, "status"),
            (dup, {"status": "duplicate", "note": "重复"}, "duplicate_of"),
            (dup, {"status": "duplicate", "note": "重复",
                   "duplicate_of": "T-2099-999999"}, "duplicate_of"),
            (dup, {"status": "duplicate", "note": "重复",
                   "duplicate_of": dup}, "duplicate_of"),
            (dup, {"status": "triaged", "duplicate_of": first},
             "duplicate_of")):
        r = w.triage.post_json(url % tip, body)
        assert r.status == 400, (body, r)
        assert error_of(r)["field"] == field, (body, r)
    for tip in (bad, dup):
        assert db_one(w.server, "SELECT status FROM tips WHERE public_id "
                      "= ?", (tip,)) == "received"

    r = w.triage.post_json(url % bad, {"status": "invalid",
                                       "note": "内容与检验检测无关"})
    assert r.status == 200, r
    r = w.triage.post_json(url % moved, {"status": "transferred",
                                         "note": "移送卫健委 To health"})
    assert r.status == 200, r
    r = w.triage.post_json(url % dup, {"status": "duplicate",
                                       "note": "同一举报人重复提交",
                                       "duplicate_of": first})
    assert r.status == 200, r
    assert json.loads(r.body)["duplicate_of"] == first

    assert detail(w.triage, bad)["status"] == "invalid"
    assert detail(w.triage, moved)["status"] == "transferred"
    d = detail(w.triage, dup)
    assert d["status"] == "invalid" and d["duplicate_of"] == first
    assert d["events"][-1]["kind"] == "duplicate"
    assert "同一举报人重复提交" in d["events"][-1]["detail"]
    # The original names its duplicate among its related tips.
    rel = {x["id"]: x["reason"] for x in detail(w.triage, first)["related"]}
    assert "duplicate" in rel.get(dup, ""), rel

    # Reasons are in the audit log with the action.
    assert any(a == "tip.invalid" and "内容与检验检测无关" in (why or "")
               for _, a, why in audit_actions(w, bad))
    assert any(a == "tip.transferred" for _, a, _ in audit_actions(w, moved))
    assert any(a == "tip.duplicate" and first in (why or "")
               for _, a, why in audit_actions(w, dup))

    # A case-driven status refuses triage statuses.
    db_exec(w.server, "UPDATE tips SET status = 'verifying' WHERE "
            "public_id = ?", (first,))
    r = w.triage.post_json(url % first, {"status": "invalid", "note": "x"})
    assert r.status == 400 and error_of(r)["field"] == "status", r
    # An officer of another bureau cannot mark it: 404.
    r = w.zz.post_json(url % moved, {"status": "triaged"})
    assert r.status == 404, r
    w.server.assert_alive()


def test_classify(world):
    w = world
    tip = new_tip(w, OWN_BUREAU, details="出具的报告数据不实")["id"]
    violations = json.loads(w.server.request(
        "GET", "/api/v1/violations").body)["violations"]
    vcode = violations[0]["code"]
    url = "/api/v1/staff/tips/%s/classify" % tip
    for body, field in (({}, "domain"),
                        ({"domain": "no_such_domain"}, "domain"),
                        ({"violation": "no_such"}, "violation"),
                        ({"institution": "91140581MA0K00001X"},
                         "institution"),
                        ({"institution": "424242"}, "institution"),
                        ({"domain": "ppe", "violation": "no_such"},
                         "violation")):
        r = w.gp.post_json(url, body)
        assert r.status == 400, (body, r)
        assert error_of(r)["field"] == field, (body, r)
    d = detail(w.gp, tip)
    assert d["domain"] != "ppe" and d["events"] == [], d
    r = w.gp.post_json(url, {"domain": "ppe"})
    assert r.status == 200, r
    r = w.gp.post_json(url, {"violation": vcode,
                             "institution": CREDIT_CODE.lower()})
    assert r.status == 200, r
    d = detail(w.gp, tip)
    assert d["domain"] == "ppe" and d["violation"] == vcode
    assert d["registry_institution"]["credit_code"] == CREDIT_CODE
    inst_id = d["institution_id"]
    # By registry id too.
    r = w.gp.post_json(url, {"institution": str(inst_id),
                             "domain": "food"})
    assert r.status == 200, r
    assert detail(w.gp, tip)["domain"] == "food"
    kinds = [e["kind"] for e in detail(w.gp, tip)["events"]]
    assert kinds == ["classify"] * 3
    classify = [why for _, a, why in audit_actions(w, tip)
                if a == "tip.classify"]
    assert len(classify) == 3
    assert any("domain: ppe -> food" in c for c in classify), classify
    r = w.zz.post_json(url, {"domain": "ppe"})
    assert r.status == 404, r


def test_related_by_report_number_attachment_institution(world):
    w = world
    # Same report number, written differently (full-width, lower case).
    a = new_tip(w, OWN_BUREAU, details="报告编号：JC-2022-0153，没做检测")["id"]
    b = new_tip(w, OWN_BUREAU,
                details="他们的 ｊｃ－２０２２－０１５３ 号报告是假的")["id"]
    c = new_tip(w, OTHER_BUREAU, details="报告编号JC-2022-0153 也在泽州")["id"]
    lone = new_tip(w, OWN_BUREAU, details="报告编号：JC-2022-9999")["id"]
    rel = {x["id"]: x["reason"] for x in detail(w.admin, a)["related"]}
    assert rel.get(b) == "report_number" and rel.get(c) == "report_number"
    assert lone not in rel
    # The route reason counts the numbers that relate the tips, even one
    # written without a label.
    assert "文中有1个检验检测报告编号" in detail(w.admin, b)["route_reason"]
    # Scope: an officer sees only relatives of their own bureau.
    rel = {x["id"] for x in detail(w.gp, a)["related"]}
    assert b in rel and c not in rel
    assert detail(w.zz, c)["related"] == []
    # The number itself is nowhere in plaintext in the database.
    with open("%s/tipline.db" % w.server.data_dir, "rb") as f:
        assert b"JC-2022-0153" not in f.read()

    # Same attachment content.
    png = make_png(31, 17)
    p = new_tip(w, OWN_BUREAU, details="见附件", png=png)["id"]
    q = new_tip(w, OWN_BUREAU, details="同一张图", png=png)["id"]
    other = new_tip(w, OWN_BUREAU, details="另一张图",
                    png=make_png(17, 31))["id"]
    rel = {x["id"]: x["reason"] for x in detail(w.triage, p)["related"]}
    assert rel.get(q) == "attachment" and other not in rel

    # Same registry institution, and its open case suggested.
    i1 = new_tip(w, None, details="样品都没取就出了报告",
                 institution="高平市华泰检测有限公司")["id"]
    i2 = new_tip(w, OWN_BUREAU, details="报告造假",
                 institution="高平市华泰检测有限责任公司")["id"]
    d = detail(w.gp, i1)
    assert d["registry_institution"]["credit_code"] == CREDIT_CODE
    assert {x["id"]: x["reason"] for x in d["related"]}.get(i2) == \
        "institution"
    assert d["suggested_case"] is None
    inst = d["institution_id"]
    db_exec(w.server, "INSERT INTO cases (public_id, institution_id, bureau,"
            " status, created_at, updated_at) VALUES ('C-2022-900001', ?, "
            "?, 'verifying', 1, 1), ('C-2022-900002', ?, ?, 'closed', 2, 2)",
            (inst, OWN_BUREAU, inst, OWN_BUREAU))
    d = detail(w.gp, i1)
    assert d["suggested_case"]["id"] == "C-2022-900001"
    assert [c["id"] for c in d["open_cases"]] == ["C-2022-900001"]
    page = w.gp.get("/staff/tips/%s" % i1).body.decode()
    assert "C-2022-900001" in page and i2 in page
    assert "同一机构 Same institution" in page

    # The queue counts relatives.
    rows = {t["id"]: t for t in json.loads(w.admin.get(
        "/api/v1/staff/tips?limit=200").body)["tips"]}
    assert rows[a]["related_count"] == 2
    assert rows[lone]["related_count"] == 0
    rows = {t["id"]: t for t in json.loads(w.gp.get(
        "/api/v1/staff/tips?limit=200").body)["tips"]}
    assert rows[a]["related_count"] == 1    # c is another bureau's
    # The new key slot and rows keep the store verifiable.
    r = run_tipline("verify", "--data", w.server.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr


def test_queue_order_fields_and_paging(world):
    w = world
    urgent = new_tip(w, OWN_BUREAU, details="用了假报告的罐体发生爆炸事故，有人死亡")
    plain = new_tip(w, OWN_BUREAU, details="报告的签名不对")
    done = new_tip(w, OWN_BUREAU, details="已经核实过的")
    r = w.triage.post_json("/api/v1/staff/tips/%s/status" % done["id"],
                           {"status": "triaged"})
    assert r.status == 200, r
    r = w.admin.get("/api/v1/staff/tips?limit=200")
    assert r.status == 200, r
    body = json.loads(r.body)
    tips = body["tips"]
    assert body["next"] is None
    for t in tips:
        for key in ("id", "status", "bureau", "domain", "priority",
                    "received_at", "summary", "route_reason", "deadline",
                    "related_count"):
            assert key in t, (key, t)
    # Waiting tips first, then by priority, then newest first.
    keys = [(t["status"] != "received", -t["priority"]) for t in tips]
    assert keys == sorted(keys), keys
    ids = [t["id"] for t in tips]
    assert ids.index(urgent["id"]) < ids.index(plain["id"]) < \
        ids.index(done["id"])
    row = tips[ids.index(plain["id"])]
    assert row["priority"] < tips[ids.index(urgent["id"])]["priority"]
    assert row["deadline"]["rule"] == "report_filing_decision"
    assert row["deadline"]["state"] == "running"
    assert len(row["deadline"]["due"]) == 10
    assert row["route_reason"]
    # Paging walks the same order without gaps or repeats.
    seen, cursor = [], None
    while True:
        path = "/api/v1/staff/tips?limit=3"
        if cursor:
            path += "&cursor=" + cursor
        page = json.loads(w.admin.get(path).body)
        seen += [t["id"] for t in page["tips"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == ids
    r = w.admin.get("/api/v1/staff/tips?cursor=1.2")
    assert r.status == 400, r
    # The page shows the same columns.
    page = w.triage.get("/staff/tips?limit=200").body.decode()
    assert "分派理由 Routing reason" in page and "立案决定期限" in page


def test_forms_on_the_tip_page(world):
    w = world
    tip = new_tip(w, OWN_BUREAU)["id"]
    page = w.gp.get("/staff/tips/%s" % tip)
    assert page.status == 200
    text = page.body.decode()
    for form in ("form-status", "form-route", "form-invalid",
                 "form-classify"):
        assert 'id="%s"' % form in text, form
    assert 'name="csrf"' in text and 'id="history"' in text
    assert 'value="%s"' % OTHER_BUREAU in text   # the bureau select

    r = w.gp.post_form("/staff/tips/%s/status" % tip, {"status": "triaged"})
    assert r.status == 303, r
    assert r.header("location") == "/staff/tips/%s#triage" % tip
    r = w.gp.post_form("/staff/tips/%s/classify" % tip,
                       {"domain": "food", "violation": "",
                        "institution": ""})
    assert r.status == 303, r
    # Without the CSRF token: refused, nothing changes.
    r = w.gp.post_form("/staff/tips/%s/route" % tip,
                       {"bureau": OTHER_BUREAU, "reason": "x"}, csrf=False)
    assert r.status == 403, r
    # A refusal is a page naming the problem.
    r = w.gp.post_form("/staff/tips/%s/route" % tip,
                       {"bureau": OTHER_BUREAU, "reason": ""})
    assert r.status == 400 and b"reason" in r.body, r
    text = w.gp.get("/staff/tips/%s" % tip).body.decode()
    history = text[text.index('id="events"'):]
    assert "<td>confirm</td>" in history and "<td>classify</td>" in history
    # Re-routed away by its officer: back to the queue, not to a 404.
    r = w.gp.post_form("/staff/tips/%s/route" % tip,
                       {"bureau": OTHER_BUREAU, "reason": "属泽州县"})
    assert r.status == 303 and r.header("location") == "/staff/tips", r
    assert w.gp.get("/staff/tips/%s" % tip).status == 404
    w.server.assert_alive()
