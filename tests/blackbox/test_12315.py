# SPDX-License-Identifier: MIT
"""Tips and the national 12315 platform (issue 7, order 121).

Staff enter a tip that 12315 transferred, with its work-order number:
POST /api/v1/staff/tips and the page /staff/tips/new, through the same
intake pipeline as every door (validation, routing, sealing, the receipt
code that works at the follow-up), channel 'staff', audited under the
person's login; the same work order twice is one tip.  The bureau's
own-channel tips (web form, API, e-mail; not those from 12315) are
exported as CSV (UTF-8 with BOM) for registration on 12315:
GET /api/v1/staff/tips/export.csv?bureau=&from=&to=, scoped (an officer
gets only their own bureau's tips) and audited.

The two literal routes sit beside the /api/v1/staff/tips/{id} and
/staff/tips/{id} patterns: the tests also check that the literal wins and
that the patterns still work.
"""

import base64
import csv
import io
import json
import time

import pytest

from harness import run_tipline
from staff_helpers import (OTHER_BUREAU, OWN_BUREAU, audit_rows, db_one,
                           mail_tip_for, staff_server, submit_tip)

WO = "1140500202611280001"
HEADER = ["举报编号 Reference", "受理日期 Received", "承办单位 Bureau",
          "重点领域 Domain", "违法类型 Violation", "被举报机构 Institution",
          "举报摘要 Summary", "12315工单号 Work order"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    users = (("t_triage", "triage", "140500"),
             ("t_officer", "officer", OWN_BUREAU),
             ("t_auditor", "auditor", None))
    with staff_server(tmp_path_factory.mktemp("w12315"), users) as (srv, s):
        w = type("World", (), {})()
        w.server = srv
        w.triage, w.officer, w.auditor = (s[u[0]] for u in users)
        yield w


def today_cst():
    return time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))


def entry(**kw):
    body = {"summary": "12315转办：某检测公司出具虚假检验报告",
            "details": "12315平台转来：该公司未检先出报告。Transferred.",
            "county": OWN_BUREAU, "institution": "晋城某检测有限公司"}
    body.update(kw)
    return body


def tips_count(w):
    return db_one(w.server, "SELECT count(*) FROM tips")


def export(session, query=""):
    r = session.get("/api/v1/staff/tips/export.csv" + query)
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/csv"), r
    assert r.header("content-disposition").startswith("attachment"), r
    assert r.body.startswith(b"\xef\xbb\xbf"), r.body[:20]
    rows = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"))))
    assert rows[0] == HEADER
    return {row[0]: row for row in rows[1:]}


def test_enter_a_12315_tip(world):
    w = world
    r = w.triage.post_json("/api/v1/staff/tips", entry(wo_12315=WO))
    assert r.status == 201, r
    tip = json.loads(r.body)
    assert tip["wo_12315"] == WO and tip["status"] == "received"
    assert tip["bureau"] == OWN_BUREAU, "not routed by the pipeline"
    assert len(tip["receipt"]) == 16
    row = db_one(w.server, "SELECT channel || '|' || wo_12315 "
                              "FROM tips WHERE public_id = ?", (tip["id"],))
    assert row == "staff|" + WO
    audit = [a for a in audit_rows(w.server, "tip.receive")
             if a[3] == tip["id"]]
    assert len(audit) == 1 and audit[0][1] == "t_triage", audit
    # The tipster's receipt works like any other.
    r = w.server.request("POST", "/api/v1/follow-up",
                         body=json.dumps({"receipt": tip["receipt"]}),
                         headers={"Content-Type": "application/json"})
    assert r.status == 200 and json.loads(r.body)["id"] == tip["id"], r
    # Staff see it as a tip (the {id} pattern still works).
    r = w.triage.get("/api/v1/staff/tips/" + tip["id"])
    assert r.status == 200 and "未检先出报告" in r.body.decode(), r

    # The same work order again is the same tip, not a second one: a
    # conflict with what is stored (not a malformed request), naming it.
    n = tips_count(w)
    audits = len(audit_rows(w.server))
    r = w.triage.post_json("/api/v1/staff/tips",
                           entry(wo_12315=WO, summary="另一人再次录入"))
    assert r.status == 409, r
    err = json.loads(r.body)["error"]
    assert err["code"] == "conflict", err
    assert "wo_12315" in err["message"] and tip["id"] in err["message"]
    assert tips_count(w) == n
    assert len(audit_rows(w.server)) == audits


@pytest.mark.parametrize("body,field", [
    (entry(wo_12315="WO 1; drop"), "wo_12315"),
    (entry(wo_12315="9" * 41), "wo_12315"),
    (entry(summary=""), "summary"),
    (entry(county="999999"), "county"),
    (entry(occurred_on="2022-13-01"), "occurred_on"),
    (entry(colour="red"), "colour"),
    (entry(summary=12), "summary"),
])
def test_bad_entry_changes_nothing(world, body, field):
    w = world
    n = tips_count(w)
    audits = len(audit_rows(w.server))
    r = w.triage.post_json("/api/v1/staff/tips", body)
    assert r.status == 400, r
    assert field in json.loads(r.body)["error"]["message"], r
    assert tips_count(w) == n
    assert len(audit_rows(w.server)) == audits
    w.server.assert_alive()


def test_entry_page(world):
    w = world
    r = w.officer.get("/staff/tips/new")
    assert r.status == 200, r
    page = r.body.decode()
    assert 'name="wo_12315"' in page and 'name="csrf"' in page
    assert 'action="/api/v1/staff/tips/export.csv"' in page

    r = w.officer.post_form("/staff/tips/new", {
        "wo_12315": "", "summary": "页面录入的12315举报",
        "details": "", "county": OWN_BUREAU})
    assert r.status == 400, r
    assert "details" in r.body.decode()
    assert "页面录入的12315举报" in r.body.decode(), "values kept"

    r = w.officer.post_form("/staff/tips/new", {
        "wo_12315": "1140581202611280007", "summary": "页面录入的12315举报",
        "details": "转办内容：报告造假。", "county": OWN_BUREAU})
    assert r.status == 201, r
    page = r.body.decode()
    tip_id = page.split('id="tip" href="/staff/tips/')[1].split('"')[0]
    assert tip_id.startswith("T-")
    assert db_one(w.server, "SELECT wo_12315 FROM tips WHERE public_id = ?",
                  (tip_id,)) == "1140581202611280007"
    audit = [a for a in audit_rows(w.server, "tip.receive")
             if a[3] == tip_id]
    assert audit and audit[0][1] == "t_officer"
    # The {id} page pattern still serves real tips.
    assert w.officer.get("/staff/tips/" + tip_id).status == 200
    # The same work order from the page: the form again, naming the tip.
    n = tips_count(w)
    r = w.officer.post_form("/staff/tips/new", {
        "wo_12315": "1140581202611280007", "summary": "重复录入",
        "details": "同一工单。", "county": OWN_BUREAU})
    assert r.status == 409, r
    page = r.body.decode()
    assert tip_id in page and 'id="error"' in page and "重复录入" in page
    assert tips_count(w) == n


def test_export_own_channel_tips(world):
    w = world
    srv = w.server
    web_own = submit_tip(srv, OWN_BUREAU, summary="=SUM(A1) 网页举报")
    web_other = submit_tip(srv, OTHER_BUREAU)
    violation = db_one(srv, "SELECT code FROM violation_types ORDER BY code")
    vname = db_one(srv, "SELECT name_zh FROM violation_types WHERE code = ?",
                   (violation,))
    r = srv.request("POST", "/api/v1/tips", body=json.dumps({
        "summary": "API举报，含逗号\"引号\"", "details": "食品检测报告造假。",
        "county": OWN_BUREAU, "domain": "food", "violation": violation,
        "institution": "晋城市某食品检测中心"}),
        headers={"Content-Type": "application/json"})
    assert r.status == 201, r
    api_own = json.loads(r.body)["id"]
    mail = ("From: li@example.org\r\nTo: tips@localhost\r\n"
            "Subject: =?UTF-8?B?" + base64.b64encode(
                "邮件举报".encode()).decode() + "?=\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8"
            "\r\n\r\n检测机构出具虚假报告。\r\n").encode()
    mail_own = mail_tip_for(srv, mail)
    r = w.triage.post_json("/api/v1/staff/tips",
                           entry(wo_12315="1140581202611289999"))
    assert r.status == 201, r
    from_12315 = json.loads(r.body)["id"]

    rows = export(w.triage)
    for tid in (web_own, web_other, api_own, mail_own):
        assert tid in rows, tid
    assert from_12315 not in rows, "a tip from 12315 is not re-registered"
    assert not any(db_one(srv, "SELECT channel FROM tips WHERE public_id"
                          " = ?", (t,)) == "staff" for t in rows)
    api = rows[api_own]
    bureau_name = db_one(srv, "SELECT name_zh FROM bureaus WHERE code = ?",
                         (OWN_BUREAU,))
    food = db_one(srv, "SELECT name_zh FROM domains WHERE code = 'food'")
    assert api == [api_own, today_cst(), bureau_name, food, vname,
                   "晋城市某食品检测中心", "API举报，含逗号\"引号\"", ""], api
    assert rows[mail_own][6] == "邮件举报"
    # A formula-looking summary is defused for spreadsheets.
    assert rows[web_own][6] == "'=SUM(A1) 网页举报"

    # An officer exports their own bureau only, whatever they ask for.
    own = export(w.officer)
    assert web_own in own and api_own in own and mail_own in own
    assert web_other not in own
    assert export(w.officer, "?bureau=%s" % OTHER_BUREAU) == {}
    # bureau= narrows; dates bound the received date.
    assert set(export(w.triage, "?bureau=%s" % OTHER_BUREAU)) == {web_other}
    assert export(w.triage, "?to=2022-01-01") == {}
    day = today_cst()
    assert api_own in export(w.triage, "?from=%s&to=%s" % (day, day))

    exports = audit_rows(srv, "tip.export")
    assert exports and exports[-1][1] == "t_triage", exports
    assert "rows=" in exports[-1][4]
    assert any(a[1] == "t_officer" for a in exports)


@pytest.mark.parametrize("query,field", [
    ("?from=2022-02-30", "from"), ("?to=yesterday", "to"),
    ("?from=2023-01-02&to=2023-01-01", "from"), ("?bureau=nowhere", "bureau"),
])
def test_export_bad_parameters(world, query, field):
    w = world
    n = len(audit_rows(w.server, "tip.export"))
    r = w.triage.get("/api/v1/staff/tips/export.csv" + query)
    assert r.status == 400, r
    assert json.loads(r.body)["error"]["message"].startswith(field), r
    assert len(audit_rows(w.server, "tip.export")) == n


def test_auditor_may_not_enter_or_export(world):
    w = world
    assert w.auditor.get("/api/v1/staff/tips/export.csv").status == 403
    r = w.auditor.post_json("/api/v1/staff/tips", entry())
    assert r.status == 403, r


def test_export_leaves_out_invalid_and_duplicate_tips(world):
    """Tips marked invalid, or duplicates of (merged into) another tip,
    are not registered on 12315: only the tip they repeat is."""
    w = world
    srv = w.server
    kept = submit_tip(srv, OWN_BUREAU, summary="导出：保留 kept")
    bad = submit_tip(srv, OWN_BUREAU, summary="导出：无效 invalid")
    dup = submit_tip(srv, OWN_BUREAU, summary="导出：重复 duplicate")
    moved = submit_tip(srv, OWN_BUREAU, summary="导出：移送 transferred")
    for tid, body in ((bad, {"status": "invalid", "note": "无实质内容"}),
                      (dup, {"status": "duplicate", "duplicate_of": kept,
                             "note": "重复"}),
                      (moved, {"status": "transferred", "note": "移送"})):
        r = w.triage.post_json("/api/v1/staff/tips/%s/status" % tid, body)
        assert r.status == 200, r
    rows = export(w.triage)
    assert kept in rows and moved in rows
    assert bad not in rows and dup not in rows
    assert bad not in export(w.officer) and dup not in export(w.officer)
    # Back to triaged: exported again.
    r = w.triage.post_json("/api/v1/staff/tips/%s/status" % dup,
                           {"status": "triaged"})
    assert r.status == 200, r
    assert dup in export(w.triage)


def test_verify_after_entries(world):
    res = run_tipline("verify", "--data", world.server.data_dir,
                      "--config", world.server.config_path)
    assert res.returncode == 0, res.stdout + res.stderr


def test_entry_page_takes_the_longest_details(world):
    """Details of 20 000 Chinese characters (about 180 KB URL-encoded) fit
    the page as they fit the API."""
    w = world
    details = "检测报告造假" * (20000 // 6) + "假" * (20000 % 6)
    r = w.officer.post_form("/staff/tips/new", {
        "wo_12315": "1140581202611280099", "summary": "长篇转办",
        "details": details, "county": OWN_BUREAU})
    assert r.status == 201, r
    n = tips_count(w)
    r = w.officer.post_form("/staff/tips/new", {
        "wo_12315": "1140581202611280098", "summary": "超长转办",
        "details": details + "多", "county": OWN_BUREAU})
    assert r.status == 400 and "details" in r.body.decode(), r
    assert tips_count(w) == n
