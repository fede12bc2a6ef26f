# SPDX-License-Identifier: MIT
"""The summary table on the staff side (issue 7): GET
/api/v1/staff/reports/summary (json, csv, xlsx) and the page
/staff/reports give the very table of `tipline report summary`.  The
scripted campaign of test_report.py (cases in several bureaus with known
outcomes) is written into a running server's database; then the API's JSON
is checked against the command line's CSV cell by cell, the XLSX opened
with python3-openpyxl, the city-wide table checked as the sum of the
bureau tables, the scope of each role (an officer: their own bureau only,
another bureau 404; an auditor 403), the audit entry, and the page (the
table inline, its text escaped, the download links)."""

import io
import json
import re
from urllib.parse import urlencode

import pytest

from staff_helpers import (OTHER_BUREAU, OWN_BUREAU, audit_rows,
                           staff_server)
from test_report import (CAMPAIGN, EXPECTED, EXPECTED_TOTAL, LEAF_HEADERS,
                         SCRIPT, TITLE_SUFFIX, cents, insert_campaign,
                         parse_csv, report_bytes)

openpyxl = pytest.importorskip("openpyxl")

API = "/api/v1/staff/reports/summary"
XLSX_TYPE = ("application/vnd.openxmlformats-officedocument."
             "spreadsheetml.sheet")
BUREAUS = ["140500", "140502", "140521", "140522", "140524", "140525",
           "140581", "140500-dz"]
NUMBERS = ["inspected", "violating", "false_report", "rectified", "revoked"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    users = [("r_admin", "admin", None), ("r_triage", "triage", "140500"),
             ("r_officer", "officer", OWN_BUREAU),
             ("r_auditor", "auditor", None)]
    with staff_server(tmp_path_factory.mktemp("report_staff"), users) as \
            (srv, sessions):
        insert_campaign(srv.data_dir)
        yield srv, sessions


def url(path=API, **params):
    return path + "?" + urlencode({k: v for k, v in params.items()
                                   if v is not None})


def get_json(session, **params):
    r = session.get(url(**params))
    assert r.status == 200, r
    assert r.header("content-type").startswith("application/json"), r
    return json.loads(r.body)


def error_of(r):
    return json.loads(r.body)["error"]


def json_as_csv_rows(doc):
    """The JSON table as the CLI's CSV body rows (strings)."""
    out = []
    for row in doc["rows"] + [doc["total"]]:
        out.append([row["name"], row["joint"]] +
                   [str(row[k]) for k in NUMBERS] +
                   [row["money_wan"], str(row["referred"])])
    return out


# ---- JSON against the command line

@pytest.mark.parametrize("bureau", [None, OWN_BUREAU, OTHER_BUREAU,
                                    "140500-dz"])
def test_json_equals_cli_csv(world, bureau):
    srv, s = world
    doc = get_json(s["r_admin"], campaign=CAMPAIGN, bureau=bureau)
    args = ("--bureau", bureau) if bureau else ()
    cli = parse_csv(report_bytes(srv.data_dir, "--format", "csv", *args))
    assert cli[1][3:] == LEAF_HEADERS
    assert json_as_csv_rows(doc) == cli[2:]
    assert doc["campaign"] == CAMPAIGN
    assert doc["bureau"] == bureau
    assert doc["title"].endswith(TITLE_SUFFIX)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", doc["date"]), doc["date"]
    assert doc["filled_by"]
    assert doc["total"]["domain"] is None
    assert doc["total"]["name"] == "合计"


def test_json_shape_and_money(world):
    _, s = world
    doc = get_json(s["r_admin"], campaign=CAMPAIGN)
    # The two-level header: three single columns, then two groups.
    cols = doc["columns"]
    assert [c["name"] for c in cols[:3]] == ["重点领域", "部门联合情况",
                                            "检查机构数"]
    assert [c["key"] for c in cols[:3]] == ["name", "joint", "inspected"]
    leaves = [leaf for c in cols[3:] for leaf in c["columns"]]
    assert [leaf["name"] for leaf in leaves] == LEAF_HEADERS
    assert len(cols[3]["columns"]) == 2 and len(cols[4]["columns"]) == 4
    for row in doc["rows"]:
        for leaf in leaves:
            assert leaf["key"] in row, (leaf, row)
    # Every domain, in the campaign's order, with the hand-counted cells.
    assert [r["domain"] for r in doc["rows"]] == list(EXPECTED)
    for row in doc["rows"]:
        want = EXPECTED[row["domain"]]
        assert row["joint"] == want[0]
        assert [row[k] for k in NUMBERS] == list(want[1:6])
        assert row["money_wan"] == want[6]
        assert row["referred"] == want[7]
    total = doc["total"]
    assert total["joint"] == EXPECTED_TOTAL[0]
    assert [total[k] for k in NUMBERS] == list(EXPECTED_TOTAL[1:6])
    assert total["money_wan"] == EXPECTED_TOTAL[6]
    # Money: the exact fen behind each cell (verifying cases excluded).
    fen = {r["domain"]: r["money_fen"] for r in doc["rows"]}
    assert fen["medical_ppe"] == 1234567
    assert fen["food"] == 5000
    assert fen["building_materials"] == 20000
    assert fen["carbon_verification"] == 1235000
    assert total["money_fen"] == sum(fen.values())


def test_city_json_is_sum_of_bureau_jsons(world):
    _, s = world
    city = get_json(s["r_admin"], campaign=CAMPAIGN)
    docs = [get_json(s["r_admin"], campaign=CAMPAIGN, bureau=b)
            for b in BUREAUS]
    for i, row in enumerate(city["rows"] + [city["total"]]):
        parts = [(d["rows"] + [d["total"]])[i] for d in docs]
        for key in NUMBERS + ["referred", "money_fen"]:
            assert row[key] == sum(p[key] for p in parts), (key, row)
        assert cents(row["money_wan"]) == sum(cents(p["money_wan"])
                                              for p in parts), row


# ---- CSV and XLSX downloads

def test_csv_download_is_the_cli_csv(world):
    srv, s = world
    r = s["r_triage"].get(url(campaign=CAMPAIGN, bureau=OWN_BUREAU,
                              format="csv"))
    assert r.status == 200, r
    assert r.header("content-type") == "text/csv; charset=utf-8"
    disp = r.header("content-disposition")
    assert disp.startswith("attachment;"), disp
    assert CAMPAIGN in disp and OWN_BUREAU in disp
    assert r.body == report_bytes(srv.data_dir, "--format", "csv",
                                  "--bureau", OWN_BUREAU)


def test_xlsx_download_opens(world):
    _, s = world
    r = s["r_admin"].get(url(campaign=CAMPAIGN, format="xlsx"))
    assert r.status == 200, r
    assert r.header("content-type") == XLSX_TYPE
    assert r.header("content-disposition").startswith("attachment;")
    ws = openpyxl.load_workbook(io.BytesIO(r.body)).worksheets[0]
    merged = {str(m) for m in ws.merged_cells.ranges}
    for rng in ("A1:I1", "A3:A4", "B3:B4", "C3:C4", "D3:E3", "F3:I3"):
        assert rng in merged, (rng, merged)
    assert ws["A1"].value.endswith(TITLE_SUFFIX)
    assert [ws.cell(4, c).value for c in range(4, 10)] == LEAF_HEADERS
    total_row = 5 + len(EXPECTED)
    assert ws.cell(total_row, 1).value == "合计"
    got = [ws.cell(total_row, c).value for c in range(2, 10)]
    assert (got[0] or "") == EXPECTED_TOTAL[0]
    assert got[1:6] == list(EXPECTED_TOTAL[1:6])
    assert round(got[6] * 100) == cents(EXPECTED_TOTAL[6])
    assert got[7] == EXPECTED_TOTAL[7]


# ---- scope and refusals

def test_officer_scope(world):
    _, s = world
    off = s["r_officer"]
    mine = get_json(off, campaign=CAMPAIGN)
    assert mine["bureau"] == OWN_BUREAU
    assert mine == get_json(off, campaign=CAMPAIGN, bureau=OWN_BUREAU)
    assert mine["rows"] == get_json(s["r_admin"], campaign=CAMPAIGN,
                                    bureau=OWN_BUREAU)["rows"]
    for other in (OTHER_BUREAU, "140500", "999999"):
        for fmt in ("json", "csv", "xlsx"):
            r = off.get(url(campaign=CAMPAIGN, bureau=other, format=fmt))
            assert r.status == 404, (other, fmt, r)
            assert error_of(r)["field"] == "bureau"
    r = off.get(url(path="/staff/reports", campaign=CAMPAIGN,
                    bureau=OTHER_BUREAU))
    assert r.status == 404, r
    assert SCRIPT.encode() not in r.body


def test_auditor_forbidden(world):
    _, s = world
    for path in (url(campaign=CAMPAIGN), url(campaign=CAMPAIGN,
                                             format="csv"),
                 url(path="/staff/reports", campaign=CAMPAIGN)):
        r = s["r_auditor"].get(path)
        assert r.status == 403, (path, r)


@pytest.mark.parametrize("params, status, field", [
    (dict(campaign="no-such-campaign"), 404, "campaign"),
    (dict(campaign="no-such-campaign", format="csv"), 404, "campaign"),
    (dict(campaign=CAMPAIGN, format="pdf"), 400, "format"),
    (dict(campaign=CAMPAIGN, format="html"), 400, "format"),
    (dict(), 400, "campaign"),
    (dict(campaign="<x>"), 400, "campaign"),
    (dict(campaign=CAMPAIGN, bureau="999999"), 404, "bureau"),
    (dict(campaign=CAMPAIGN, bureau="a b"), 400, "bureau"),
])
def test_refusals(world, params, status, field):
    _, s = world
    r = s["r_admin"].get(url(**params))
    assert r.status == status, r
    assert r.header("content-type").startswith("application/json")
    assert error_of(r)["field"] == field, r


def test_logged_out_401(world):
    srv, _ = world
    assert srv.request("GET", url(campaign=CAMPAIGN)).status == 401


def test_audited(world):
    srv, s = world
    before = len(audit_rows(srv, "report.summary"))
    s["r_officer"].get(url(campaign=CAMPAIGN, format="csv"))
    s["r_admin"].get(url(campaign=CAMPAIGN))
    rows = audit_rows(srv, "report.summary")[before:]
    assert [(r[1], r[3], r[4]) for r in rows] == [
        ("r_officer", CAMPAIGN, "bureau=%s format=csv" % OWN_BUREAU),
        ("r_admin", CAMPAIGN, "bureau=all format=json")]
    # A refused request leaves no entry.
    s["r_officer"].get(url(campaign=CAMPAIGN, bureau=OTHER_BUREAU))
    s["r_admin"].get(url(campaign="no-such-campaign"))
    assert len(audit_rows(srv, "report.summary")) == before + 2


# ---- the page

def test_page_form_only(world):
    _, s = world
    r = s["r_admin"].get("/staff/reports")
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/html")
    body = r.body.decode()
    assert 'href="/staff/reports"' in body      # the navigation
    assert '<form method="get" action="/staff/reports"' in body
    assert 'value="%s"' % CAMPAIGN in body
    assert "全市 City-wide" in body
    for b in BUREAUS:
        assert 'value="%s"' % b in body, b
    assert "<table" not in body
    assert "<script" not in body.lower()


def test_page_shows_the_table_escaped(world):
    _, s = world
    r = s["r_triage"].get(url(path="/staff/reports", campaign=CAMPAIGN))
    assert r.status == 200, r
    body = r.body.decode()
    assert "<script" not in body.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert TITLE_SUFFIX in body
    assert '<th colspan="2">' in body and '<th rowspan="2">' in body
    assert "<td>1.23</td>" in body and "<td>2.50</td>" in body
    assert body.count("<table") == 1 and "合计" in body
    # The HTML table has the CLI's numbers: the total row, cell by cell.
    total = re.search(r'<tr class="total">(.*?)</tr>', body).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", total)
    assert cells[1:] == [str(x) for x in EXPECTED_TOTAL[1:6]] + [
        EXPECTED_TOTAL[6], str(EXPECTED_TOTAL[7])]
    for fmt in ("csv", "xlsx"):
        m = re.search(r'id="%s" href="([^"]+)"' % fmt, body)
        assert m, fmt
        link = m.group(1).replace("&amp;", "&")
        assert link.startswith(API + "?format=" + fmt), link
        d = s["r_triage"].get(link)
        assert d.status == 200 and d.header("content-disposition"), d


def test_page_officer(world):
    _, s = world
    r = s["r_officer"].get(url(path="/staff/reports", campaign=CAMPAIGN))
    assert r.status == 200, r
    body = r.body.decode()
    select = re.search(r'<select id="bureau".*?</select>', body).group(0)
    assert re.findall(r'value="([^"]*)"', select) == [OWN_BUREAU]
    assert "高平市" in body                 # the filling unit
    assert SCRIPT not in body
    assert "bureau=%s" % OWN_BUREAU in body  # the links name it


def test_page_download_redirects(world):
    _, s = world
    r = s["r_admin"].get(url(path="/staff/reports", campaign=CAMPAIGN,
                             bureau=OWN_BUREAU, format="xlsx"))
    assert r.status == 303, r
    assert r.header("location") == url(campaign=CAMPAIGN,
                                       bureau=OWN_BUREAU, format="xlsx")
    r = s["r_admin"].get(url(path="/staff/reports", campaign=CAMPAIGN,
                             format="pdf"))
    assert r.status == 400, r
    assert "<form" in r.body.decode()
    r = s["r_admin"].get(url(path="/staff/reports",
                             campaign="no-such-campaign"))
    assert r.status == 404, r
    assert "campaign" in r.body.decode()
