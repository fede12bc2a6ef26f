# SPDX-License-Identifier: MIT
"""Inspection cases (issue 7) through the real binary: a case opened from a
tip takes the tip's institution, domain and bureau and links it; tips link
and unlink (with a reason); the status flow refuses what the law's order
does not allow (409, naming the field) and malformed input (400, naming
the field); findings and outcomes are recorded; every change is a case
event and an audit entry; an officer of another bureau finds neither the
case nor the tip (404); the tipster's follow-up shows the status in plain
words from the case; `tipline report summary` counts the outcome; the
decision notice meets its deadline; deadline events are recorded."""

import csv
import datetime
import io
import json

import pytest

from harness import encode_multipart
from staff_helpers import (OTHER_BUREAU, OWN_BUREAU, audit_rows, cli,
                           db_exec, db_one, import_institutions,
                           staff_server, submit_tip)

CAMPAIGN = "jc-2022-testing"
TEST_CAMPAIGN = "jc-2026-building"
INSTITUTIONS = (
    "name,credit_code,cma_cert_no,address,county_code,domains\n"
    "高平市华泰检测有限责任公司,91140581MA0K000016,160412050123,"
    "高平市米山镇,140581,food;building_materials\n")
INSTITUTION = "高平市华泰检测有限责任公司"


def tip_with_institution(server, county=OWN_BUREAU, contact=True,
                         domain="food", details=""):
    """A tip naming the registered institution; returns (id, receipt)."""
    fields = [("summary", "华泰检测出具虚假报告"),
              ("details", "高平市华泰检测有限责任公司未实际检测即出具合格"
                          "报告。No test was done before the report." +
                          details),
              ("institution", INSTITUTION),
              ("county", county),
              ("domain", domain)]
    if contact:
        fields.append(("contact_name", "李四"))
        fields.append(("contact_phone", "13800000000"))
    ctype, body = encode_multipart(fields)
    r = server.request("POST", "/api/v1/tips", body=body,
                       headers={"Content-Type": ctype})
    assert r.status == 201, r
    tip = json.loads(r.body)
    return tip["id"], tip["receipt"]


def follow_up(server, receipt):
    r = server.request("POST", "/api/v1/follow-up",
                       body=json.dumps({"receipt": receipt}),
                       headers={"Content-Type": "application/json"})
    assert r.status == 200, r
    return json.loads(r.body)


def follow_up_page(server, receipt):
    """The tipster's follow-up page in English."""
    page = server.request("POST", "/follow-up?lang=en",
                          body="receipt=%s" % receipt, headers={
                              "Content-Type":
                              "application/x-www-form-urlencoded"})
    assert page.status == 200, page
    return page


def error_of(r):
    return json.loads(r.body)["error"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cases")
    users = (("officer", "officer", OWN_BUREAU),
             ("other", "officer", OTHER_BUREAU), ("auditor", "auditor", None))
    with staff_server(tmp, users) as (srv, s):
        import_institutions(srv, INSTITUTIONS, tmp)
        srv.officer, srv.other, srv.auditor = (s[u[0]] for u in users)
        srv.inst_id = db_one(srv, "SELECT id FROM institutions WHERE "
                             "name = ?", (INSTITUTION,))
        yield srv


def open_case(s, tip, **extra):
    body = {"from_tip": tip, "campaign": CAMPAIGN}
    body.update(extra)
    return s.post_json("/api/v1/staff/cases", body)


def test_case_from_tip_links_and_fills(world):
    srv = world
    s = srv.officer
    tip, receipt = tip_with_institution(srv)
    r = open_case(s, tip, joint_departments=["公安局", "住建局"])
    assert r.status == 201, r
    case = json.loads(r.body)
    assert case["id"].startswith("C-20") and len(case["id"]) == 13, case
    assert case["status"] == "verifying"
    assert case["bureau"] == OWN_BUREAU
    assert case["domain"] == "food"
    assert case["campaign"] == CAMPAIGN
    assert case["institution"] == {"id": srv.inst_id, "name": INSTITUTION}
    assert case["joint_departments"] == ["公安局", "住建局"]
    assert [t["id"] for t in case["tips"]] == [tip]
    assert case["tips"][0]["status"] == "verifying"
    assert any(d["rule"] == "report_filing_decision"
               for d in case["tips"][0]["deadlines"])
    assert [e["kind"] for e in case["events"]] == ["create", "link"]
    assert all(e["user"] == "officer" for e in case["events"])
    # The tip follows the case, for staff and for its tipster.
    t = json.loads(s.get("/api/v1/staff/tips/%s" % tip).body)
    assert t["status"] == "verifying" and t["case"] == case["id"], t
    assert t["deadlines"][0]["due"] is not None, t
    assert follow_up(srv, receipt)["status"] == "verifying"
    # Audited, and a tip_events row records the link.
    assert (case["id"],) in [(row[3],) for row in audit_rows(srv,
                                                           "case.create")]
    assert any(row[3] == case["id"] and row[4] == tip
               for row in audit_rows(srv, "case.link"))
    assert db_one(srv, "SELECT count(*) FROM tip_events e JOIN tips t ON "
                  "t.id = e.tip_id WHERE t.public_id = ? AND e.kind = "
                  "'case.link'", (tip,)) == 1
    # A tip already linked cannot open a second case.
    r = open_case(s, tip)
    assert r.status == 409 and error_of(r)["field"] == "from_tip", r


def test_create_refusals_name_the_field(world):
    s = world.officer
    r = s.post_json("/api/v1/staff/cases", {"campaign": CAMPAIGN})
    assert r.status == 400 and error_of(r)["field"] == "institution", r
    r = s.post_json("/api/v1/staff/cases", {"institution": world.inst_id,
                                            "campaign": "no-such"})
    assert r.status == 400 and error_of(r)["field"] == "campaign", r
    r = s.post_json("/api/v1/staff/cases", {"institution": "x1"})
    assert r.status == 400 and error_of(r)["field"] == "institution", r
    r = s.post_json("/api/v1/staff/cases", {"institution": world.inst_id,
                                            "bureau": OTHER_BUREAU})
    assert r.status == 400 and error_of(r)["field"] == "bureau", r
    r = s.post_json("/api/v1/staff/cases", {"from_tip": "T-2099-999999"})
    assert r.status == 404, r
    before = db_one(world, "SELECT count(*) FROM cases")
    r = s.post_json("/api/v1/staff/cases", {
        "institution": world.inst_id, "joint_departments": [1]})
    assert r.status == 400 and error_of(r)["field"] == \
        "joint_departments", r
    assert db_one(world, "SELECT count(*) FROM cases") == before
    # An auditor may not work cases at all.
    r = world.auditor.post_json("/api/v1/staff/cases",
                                {"institution": world.inst_id})
    assert r.status == 403, r
    world.assert_alive()


def test_link_unlink_and_other_bureau(world):
    srv = world
    s = srv.officer
    tip1, _ = tip_with_institution(srv)
    tip2, receipt2 = tip_with_institution(srv)
    case = json.loads(open_case(s, tip1).body)["id"]
    r = s.post_json("/api/v1/staff/cases/%s/tips" % case, {"tip": tip2})
    assert r.status == 200, r
    assert [t["id"] for t in json.loads(r.body)["tips"]] == [tip1, tip2]
    # Linking it again is a conflict on the tip.
    r = s.post_json("/api/v1/staff/cases/%s/tips" % case, {"tip": tip2})
    assert r.status == 409 and error_of(r)["field"] == "tip", r
    # A tip of another bureau: 404 for the officer, exactly like none.
    other_tip = submit_tip(srv, OTHER_BUREAU)
    r = s.post_json("/api/v1/staff/cases/%s/tips" % case,
                    {"tip": other_tip})
    assert r.status == 404, r
    missing = s.post_json("/api/v1/staff/cases/%s/tips" % case,
                          {"tip": "T-2099-999999"})
    assert missing.status == 404 and missing.body == r.body.replace(
        other_tip.encode(), b"T-2099-999999"), (r, missing)
    # The officer of the other bureau sees neither the case nor can link.
    o = srv.other
    for r in (o.get("/api/v1/staff/cases/%s" % case),
              o.get("/staff/cases/%s" % case),
              o.post_json("/api/v1/staff/cases/%s/tips" % case,
                          {"tip": other_tip}),
              o.post_json("/api/v1/staff/cases/%s/outcome" % case,
                          {"rectify_ordered": True}),
              o.post_json("/api/v1/staff/cases/%s/status" % case,
                          {"status": "filed"}),
              # What was sent is not looked at: another bureau's case or
              # tip is 404 whatever the body holds, like a missing one.
              o.post_json("/api/v1/staff/cases/%s/tips" % case, {}),
              o.post_json("/api/v1/staff/cases/%s/outcome" % case,
                          {"fines_fen": -5}),
              o.post_json("/api/v1/staff/cases/%s/status" % case,
                          {"status": "shelved"}),
              o.post_json("/api/v1/staff/cases/%s/messages" % case,
                          {"text": ""}),
              o.post_json("/api/v1/staff/cases/%s/deadline-events" % case,
                          {"kind": "stop"}),
              o.post_json("/api/v1/staff/cases/%s/tips/%s/unlink" %
                          (case, tip2), {}),
              o.post_json("/api/v1/staff/tips/%s/notice" % tip1,
                          {"on": "yesterday"}),
              o.post_json("/api/v1/staff/tips/%s/deadline-events" % tip1,
                          {"kind": "stop"})):
        assert r.status == 404, r
    none = o.get("/api/v1/staff/cases/C-2099-999999")
    assert none.body.replace(b"C-2099-999999", case.encode()) == \
        o.get("/api/v1/staff/cases/%s" % case).body
    lst = json.loads(o.get("/api/v1/staff/cases").body)["cases"]
    assert case not in [c["id"] for c in lst]
    # Unlink needs a reason; then the tip is back to triaged.
    r = s.post_json("/api/v1/staff/cases/%s/tips/%s/unlink" % (case, tip2),
                    {})
    assert r.status == 400 and error_of(r)["field"] == "reason", r
    r = s.post_json("/api/v1/staff/cases/%s/tips/%s/unlink" % (case, tip2),
                    {"reason": "与本案无关 Not about this case"})
    assert r.status == 200, r
    assert [t["id"] for t in json.loads(r.body)["tips"]] == [tip1]
    assert follow_up(srv, receipt2)["status"] == "triaged"
    assert db_one(srv, "SELECT count(*) FROM tip_events e JOIN tips t ON "
                  "t.id = e.tip_id WHERE t.public_id = ? AND e.kind = "
                  "'case.unlink'", (tip2,)) == 1
    assert any(row[3] == case and "Not about this case" in row[4]
               for row in audit_rows(srv, "case.unlink"))
    r = s.post_json("/api/v1/staff/cases/%s/tips/%s/unlink" % (case, tip2),
                    {"reason": "again"})
    assert r.status == 409 and error_of(r)["field"] == "tip", r
    srv.assert_alive()


def test_status_flow_outcome_follow_up_and_report(world):
    srv = world
    s = srv.officer
    tip, receipt = tip_with_institution(srv)
    case = json.loads(open_case(s, tip, joint_departments="市公安局").body)
    cid = case["id"]
    path = "/api/v1/staff/cases/%s" % cid
    # Outcome before filing: a conflict on the status.
    r = s.post_json(path + "/outcome", {"rectify_ordered": True})
    assert r.status == 409 and error_of(r)["field"] == "status", r
    # Transitions the order does not allow.
    for bad in ("decided", "closed", "verifying"):
        r = s.post_json(path + "/status", {"status": bad})
        assert r.status == 409 and error_of(r)["field"] == "status", (bad, r)
    r = s.post_json(path + "/status", {"status": "shelved"})
    assert r.status == 400 and error_of(r)["field"] == "status", r
    r = s.post_json(path + "/status", {"status": "filed", "on": "2099-01-01"})
    assert r.status == 400 and error_of(r)["field"] == "on", r
    r = s.post_json(path + "/status", {"status": "filed", "on": "1.1.2022"})
    assert r.status == 400 and error_of(r)["field"] == "on", r
    assert json.loads(s.get(path).body)["status"] == "verifying"
    # Filed: the tip and the tipster follow.
    r = s.post_json(path + "/status", {"status": "filed"})
    assert r.status == 200, r
    doc = json.loads(r.body)
    assert doc["status"] == "filed" and doc["filed_on"], doc
    assert doc["tips"][0]["status"] == "filed"
    fu = follow_up(srv, receipt)
    assert fu["status"] == "filed" and fu["case"]["status"] == "filed", fu
    # Outcome: malformed values name their field and change nothing.
    for body, field in (({"fines_fen": -5}, "fines_fen"),
                        ({"fines_fen": "12x"}, "fines_fen"),
                        ({"fines_yuan": "1.234"}, "fines_yuan"),
                        ({"false_report": 3}, "false_report"),
                        ({"violation_found": "maybe"}, "violation_found"),
                        ({"false_report": 2, "false_report_kind": "nope"},
                         "false_report_kind"),
                        ({"credit_published_on": "2022-02-30"},
                         "credit_published_on"),
                        ({}, "outcome")):
        r = s.post_json(path + "/outcome", body)
        assert r.status == 400 and error_of(r)["field"] == field, (body, r)
    assert json.loads(s.get(path).body)["outcome"]["fines_fen"] == 0
    r = s.post_json(path + "/outcome", {
        "violation_found": True, "false_report": 2,
        "false_report_kind": "inaccurate_sample_handling",
        "rectify_ordered": True, "qualification_revoked": False,
        "fines_fen": 3000000, "confiscated_yuan": "1234.50",
        "referred_police": 1, "seriously_dishonest": True,
        "credit_published_on": "2022-06-01"})
    assert r.status == 200, r
    doc = json.loads(r.body)
    out = doc["outcome"]
    assert out["fines_fen"] == 3000000 and out["fines_yuan"] == "30000.00"
    assert out["fines_wan"] == "3.00"
    assert out["confiscated_fen"] == 123450
    assert out["confiscated_wan"] == "0.12"
    assert out["referred_police"] and out["seriously_dishonest"]
    assert doc["findings"] == {"violation_found": True, "false_report": 2,
                               "false_report_kind":
                               "inaccurate_sample_handling"}
    # Decided, then closed; not_filed is no longer possible.
    r = s.post_json(path + "/status", {"status": "not_filed",
                                       "reason": "x"})
    assert r.status == 409 and error_of(r)["field"] == "status", r
    assert s.post_json(path + "/status", {"status": "decided"}).status == 200
    fu = follow_up(srv, receipt)
    assert fu["status"] == "filed" and fu["case"]["status"] == "decided"
    assert fu["case"]["outcome"]["fines_and_confiscations_yuan"] == \
        "31234.50", fu
    r = s.post_json(path + "/status", {"status": "closed"})
    assert r.status == 200 and json.loads(r.body)["tips"][0]["status"] == \
        "closed", r
    r = s.post_json(path + "/outcome", {"rectify_ordered": False})
    assert r.status == 409 and error_of(r)["field"] == "status", r
    # The tipster's page says it in plain words.
    page = follow_up_page(srv, receipt)
    assert b"The case is closed" in page.body, page
    assert b"Ordered to rectify." in page.body
    assert b"31234.50" in page.body
    # Every change: a case event and an audit entry.
    kinds = [e["kind"] for e in json.loads(s.get(path).body)["events"]]
    assert kinds == ["create", "link", "status", "outcome", "status",
                     "status"], kinds
    statuses = [row[4] for row in audit_rows(srv, "case.status")
                if row[3] == cid]
    assert [x.split(" on ")[0] for x in statuses] == [
        "verifying -> filed", "filed -> decided", "decided -> closed"]
    assert any(row[3] == cid for row in audit_rows(srv, "case.outcome"))
    assert any(row[3] == cid for row in audit_rows(srv, "case.view"))
    # The campaign summary counts it (one institution, money in 万元).
    p = cli(srv, "report", "summary", "--campaign", CAMPAIGN, "--bureau",
            OWN_BUREAU, "--format", "csv")
    assert p.returncode == 0, p.stderr
    rows = list(csv.reader(io.StringIO(p.stdout.lstrip("\ufeff"))))
    food = [row for row in rows if row and row[0] == "食品"]
    assert food, rows
    assert "市公安局" in food[0][1], food
    assert food[0][2:] == ["1", "1", "1", "1", "0", "3.12", "1"], food


def test_not_filed_reason_notice_and_deadlines(world):
    srv = world
    s = srv.officer
    tip, receipt = tip_with_institution(srv)
    cid = json.loads(open_case(s, tip).body)["id"]
    path = "/api/v1/staff/cases/%s" % cid
    # The notice needs a decision first.
    r = s.post_json("/api/v1/staff/tips/%s/notice" % tip, {})
    assert r.status == 409 and error_of(r)["field"] == "tip", r
    r = s.post_json(path + "/status", {"status": "not_filed"})
    assert r.status == 400 and error_of(r)["field"] == "reason", r
    r = s.post_json(path + "/status", {"status": "not_filed",
                                       "reason": "证据不足 Not enough "
                                       "evidence"})
    assert r.status == 200, r
    doc = json.loads(r.body)
    assert doc["not_filed_on"] and doc["tips"][0]["status"] == "not_filed"
    fu = follow_up(srv, receipt)
    assert fu["status"] == "not_filed"
    assert fu["case"]["reason"] == "证据不足 Not enough evidence", fu
    page = follow_up_page(srv, receipt)
    assert b"No case was opened. Reason:" in page.body
    assert "证据不足".encode() in page.body
    # The filing decision is met on not_filed_on.
    dl = {d["rule"]: d for d in json.loads(
        s.get("/api/v1/staff/tips/%s" % tip).body)["deadlines"]}
    assert dl["report_filing_decision"]["state"] == "met", dl
    assert dl["report_filing_decision"]["done"] == doc["not_filed_on"]
    # The notice (tips received from 2026-04-15 have no notice rule, but
    # the date is recorded all the same).
    r = s.post_json("/api/v1/staff/tips/%s/notice" % tip, {})
    assert r.status == 200, r
    assert db_one(srv, "SELECT notified_on FROM tips WHERE public_id = ?",
                  (tip,)) == doc["not_filed_on"]
    assert any(row[3] == tip for row in audit_rows(srv, "tip.notice"))
    # An anonymous tip has nobody to notify.
    anon, _ = tip_with_institution(srv, contact=False)
    r = s.post_json("/api/v1/staff/tips/%s/notice" % anon, {})
    assert r.status == 409 and error_of(r)["field"] == "tip", r


def test_notice_meets_the_old_rule(world):
    """A real-name tip received before 2026-04-15 (order 20) has the notice
    deadline; recording the notice makes it met."""
    srv = world
    s = srv.officer
    tip, _ = tip_with_institution(srv)
    db_exec(srv, "UPDATE tips SET received_on = '2025-03-03' WHERE "
            "public_id = ?", (tip,))
    cid = json.loads(open_case(s, tip).body)["id"]
    assert s.post_json("/api/v1/staff/cases/%s/status" % cid,
                       {"status": "filed", "on": "2025-03-10"}).status == 200
    dl = {d["rule"]: d for d in json.loads(
        s.get("/api/v1/staff/tips/%s" % tip).body)["deadlines"]}
    assert dl["realname_filing_notice"]["state"] == "overdue", dl
    assert dl["realname_filing_notice"]["due"] == "2025-03-17", dl
    r = s.post_json("/api/v1/staff/tips/%s/notice" % tip,
                    {"on": "2025-03-12"})
    assert r.status == 200, r
    dl = {d["rule"]: d for d in json.loads(
        s.get("/api/v1/staff/tips/%s" % tip).body)["deadlines"]}
    assert dl["realname_filing_notice"]["state"] == "met", dl


def test_deadline_events_and_overdue(world):
    srv = world
    s = srv.officer
    tip, _ = tip_with_institution(srv)
    db_exec(srv, "UPDATE tips SET received_on = '2025-03-03' WHERE "
            "public_id = ?", (tip,))
    r = s.post_json("/api/v1/staff/tips/%s/deadline-events" % tip,
                    {"kind": "extend", "on": "2025-03-20"})
    assert r.status == 400 and error_of(r)["field"] == "note", r
    r = s.post_json("/api/v1/staff/tips/%s/deadline-events" % tip,
                    {"kind": "stop"})
    assert r.status == 400 and error_of(r)["field"] == "kind", r
    r = s.post_json("/api/v1/staff/tips/%s/deadline-events" % tip,
                    {"kind": "extend", "on": "2025-03-20",
                     "note": "局长张某批准 2025-03-20"})
    assert r.status == 201, r
    dl = {d["rule"]: d for d in json.loads(
        s.get("/api/v1/staff/tips/%s" % tip).body)["deadlines"]}
    f = dl["report_filing_decision"]
    assert f["extended"] and f["limit"] == 30 and f["state"] == "overdue", f
    assert any(row[3] == tip for row in audit_rows(srv, "deadline.event"))
    # The overdue list: the officer's bureau has it, the other's not.
    lst = json.loads(s.get("/api/v1/staff/overdue").body)["tips"]
    assert tip in [t["id"] for t in lst]
    lst = json.loads(srv.other.get("/api/v1/staff/overdue").body)["tips"]
    assert tip not in [t["id"] for t in lst]
    r = srv.other.post_json("/api/v1/staff/tips/%s/deadline-events" % tip,
                            {"kind": "pause"})
    assert r.status == 404, r
    page = s.get("/staff/overdue")
    assert page.status == 200 and tip.encode() in page.body
    # The case list's overdue filter.
    cid = json.loads(open_case(s, tip).body)["id"]
    ids = [c["id"] for c in json.loads(
        s.get("/api/v1/staff/cases?overdue=1").body)["cases"]]
    assert cid in ids
    lst = json.loads(s.get("/api/v1/staff/cases?status=closed&bureau=%s"
                           % OWN_BUREAU).body)["cases"]
    assert cid not in [c["id"] for c in lst]
    r = s.get("/api/v1/staff/cases?status=nope")
    assert r.status == 400 and error_of(r)["field"] == "status", r


def test_message_to_every_tipster(world):
    srv = world
    s = srv.officer
    tip1, r1 = tip_with_institution(srv)
    tip2, r2 = tip_with_institution(srv)
    cid = json.loads(open_case(s, tip1).body)["id"]
    s.post_json("/api/v1/staff/cases/%s/tips" % cid, {"tip": tip2})
    r = s.post_json("/api/v1/staff/cases/%s/messages" % cid, {"text": ""})
    assert r.status == 400 and error_of(r)["field"] == "text", r
    r = s.post_json("/api/v1/staff/cases/%s/messages" % cid,
                    {"text": "已立案调查。The case is under investigation."})
    assert r.status == 201, r
    assert sorted(m["tip"] for m in json.loads(r.body)["messages"]) == \
        sorted([tip1, tip2])
    for receipt in (r1, r2):
        msgs = follow_up(srv, receipt)["messages"]
        assert msgs[-1]["from"] == "bureau"
        assert "已立案调查" in msgs[-1]["text"]
    # The case's record notes whom the message reached.
    events = json.loads(s.get("/api/v1/staff/cases/%s" % cid).body)[
        "events"]
    assert events[-1]["kind"] == "message", events
    assert tip1 in events[-1]["detail"] and tip2 in events[-1]["detail"]
    assert any(row[3] == cid for row in audit_rows(srv, "case.message"))
    # Stored sealed, never as plaintext.
    assert db_one(srv, "SELECT count(*) FROM messages WHERE "
                  "instr(body_sealed, ?) > 0",
                  ("已立案调查".encode(),)) == 0


def test_pages(world):
    srv = world
    s = srv.officer
    tip, _ = tip_with_institution(srv)
    page = s.get("/staff/tips/%s" % tip)
    assert page.status == 200 and b'id="open-case"' in page.body
    r = s.post_form("/staff/cases", {"from_tip": tip, "campaign": CAMPAIGN})
    assert r.status == 303, r
    loc = r.header("location")
    assert loc.startswith("/staff/cases/C-"), r
    cid = loc.rsplit("/", 1)[1]
    r = s.post_form(loc + "/status", {"status": "filed", "on": ""})
    assert r.status == 303, r
    r = s.post_form(loc + "/outcome", {"rectify_ordered": "1",
                                       "fines_yuan": "5000",
                                       "violation_found": ""})
    assert r.status == 303, r
    page = s.get(loc)
    assert page.status == 200
    assert "5000.00 元 (0.50 万元)".encode() in page.body, page
    assert "已立案 Filed".encode() in page.body
    r = s.post_form(loc + "/status", {"status": "closed"})
    assert r.status == 409, r
    r = s.post_form(loc + "/status", {"status": "filed"}, csrf=False)
    assert r.status == 403, r
    lst = s.get("/staff/cases?status=filed")
    assert lst.status == 200 and cid.encode() in lst.body
    page = s.get("/staff/tips/%s" % tip)
    assert ('href="/staff/cases/%s"' % cid).encode() in page.body
    srv.assert_alive()


def test_calendar_warning_for_a_year_without_data(world):
    """Deadlines that run into a year without holiday data are counted on
    weekends only, and the tip's JSON and page say so."""
    srv = world
    s = srv.officer
    tip, _ = tip_with_institution(srv)
    db_exec(srv, "UPDATE tips SET received_on = '2026-12-28' WHERE "
            "public_id = ?", (tip,))
    doc = json.loads(s.get("/api/v1/staff/tips/%s" % tip).body)
    assert doc["calendar_warning"], doc
    filing = doc["deadlines"][0]
    assert filing["calendar_unknown"] and filing["due"] > "2027-01-01", doc
    page = s.get("/staff/tips/%s" % tip)
    assert b'id="calendar-warning"' in page.body
    # A tip whose deadlines stay inside a known year carries none.
    db_exec(srv, "UPDATE tips SET received_on = '2025-03-03' WHERE "
            "public_id = ?", (tip,))
    doc = json.loads(s.get("/api/v1/staff/tips/%s" % tip).body)
    assert doc["calendar_warning"] is None, doc


def test_campaign_of_a_tip(world):
    """Intake sets a tip's campaign (the one whose dates hold the received
    day and whose domains hold the tip's domain); classify follows a new
    domain; a case opened from the tip takes it."""
    srv = world
    s = srv.officer
    day = datetime.datetime.utcnow() + datetime.timedelta(hours=8)
    start = (day - datetime.timedelta(days=400)).strftime("%Y-%m-%d")
    end = (day + datetime.timedelta(days=400)).strftime("%Y-%m-%d")
    db_exec(srv, "INSERT INTO campaigns (code, name_zh, name_en, starts_on,"
            " ends_on) VALUES (?, '建材检测专项', 'Building materials test "
            "campaign', ?, ?)", (TEST_CAMPAIGN, start, end))
    db_exec(srv, "INSERT INTO campaign_domains (campaign, domain, position)"
            " VALUES (?, 'building_materials', 1)", (TEST_CAMPAIGN,))
    tip, _ = tip_with_institution(srv, domain="building_materials")
    food, _ = tip_with_institution(srv)

    def campaign(t):
        return db_one(srv, "SELECT campaign FROM tips WHERE public_id = ?",
                      (t,))
    assert campaign(tip) == TEST_CAMPAIGN
    assert campaign(food) is None
    url = "/api/v1/staff/tips/%s/classify"
    r = s.post_json(url % tip, {"domain": "food"})
    assert r.status == 200 and json.loads(r.body)["campaign"] is None, r
    assert campaign(tip) is None
    r = s.post_json(url % tip, {"violation": "inaccurate"})
    assert r.status == 200 and campaign(tip) is None, r
    r = s.post_json(url % tip, {"domain": "building_materials"})
    assert json.loads(r.body)["campaign"] == TEST_CAMPAIGN, r
    assert campaign(tip) == TEST_CAMPAIGN
    assert any("campaign: - -> %s" % TEST_CAMPAIGN in row[4]
               for row in audit_rows(srv, "tip.classify") if row[3] == tip)
    # Received before the campaign began: no campaign.
    db_exec(srv, "UPDATE tips SET received_on = '2022-01-04' WHERE "
            "public_id = ?", (food,))
    r = s.post_json(url % food, {"domain": "building_materials"})
    assert r.status == 200 and campaign(food) is None, r
    # A case opened from the tip (no campaign given) takes the tip's.
    r = s.post_json("/api/v1/staff/cases", {"from_tip": tip})
    assert r.status == 201, r
    assert json.loads(r.body)["campaign"] == TEST_CAMPAIGN


def test_classify_recomputes_priority(world):
    """+1 epidemic domain, +1 a false-report violation type, +2 words of
    harm (kept from the stored priority: they need the text)."""
    srv = world
    s = srv.officer
    url = "/api/v1/staff/tips/%s/classify"

    def priority(t):
        return json.loads(s.get("/api/v1/staff/tips/%s" % t).body)[
            "priority"]
    plain, _ = tip_with_institution(srv)
    harm, _ = tip_with_institution(srv, details="有人因此中毒。")
    assert priority(harm) >= 2
    for t, base in ((plain, 0), (harm, 2)):
        r = s.post_json(url % t, {"domain": "food",
                                  "violation": "inaccurate"})
        assert r.status == 200, r
        assert json.loads(r.body)["priority"] == base == priority(t), t
        r = s.post_json(url % t, {"domain": "medical_ppe"})
        assert json.loads(r.body)["priority"] == base + 1, r
        r = s.post_json(url % t, {"violation": "false"})
        assert json.loads(r.body)["priority"] == base + 2, r
        # The institution alone leaves the priority be.
        r = s.post_json(url % t, {"institution": str(srv.inst_id)})
        assert r.status == 200 and priority(t) == base + 2, r
        r = s.post_json(url % t, {"domain": "food",
                                  "violation": "inaccurate"})
        assert priority(t) == base, t


def test_deadline_and_notice_forms(world):
    """The staff pages record deadline events (tip and case) and the
    real-name decision notice with plain form posts."""
    srv = world
    s = srv.officer
    tip, _ = tip_with_institution(srv)
    anon, _ = tip_with_institution(srv, contact=False)
    page = s.get("/staff/tips/%s" % tip)
    assert page.status == 200
    assert ('action="/staff/tips/%s/deadline-events"' % tip).encode() in \
        page.body
    assert b'id="notice-form"' in page.body
    assert b'id="notice-form"' not in s.get("/staff/tips/%s" % anon).body
    path = "/staff/tips/%s/deadline-events" % tip

    def filing():
        return {d["rule"]: d for d in json.loads(s.get(
            "/api/v1/staff/tips/%s" % tip).body)["deadlines"]}[
            "report_filing_decision"]
    r = s.post_form(path, {"rule": "report_filing_decision",
                           "kind": "pause", "on": "", "note": ""})
    assert r.status == 303, r
    assert r.header("location") == "/staff/tips/%s#deadlines" % tip
    assert filing()["state"] == "paused"
    r = s.post_form(path, {"rule": "report_filing_decision",
                           "kind": "resume", "on": "", "note": ""})
    assert r.status == 303 and filing()["state"] == "running", r
    r = s.post_form(path, {"rule": "report_filing_decision",
                           "kind": "extend", "on": "", "note": ""})
    assert r.status == 400, r
    r = s.post_form(path, {"kind": "pause"}, csrf=False)
    assert r.status == 403, r
    assert srv.other.post_form(path, {"kind": "pause"}).status == 404
    assert sum(1 for row in audit_rows(srv, "deadline.event")
               if row[3] == tip) == 2
    # The case page: its own deadline form.
    cid = json.loads(open_case(s, tip).body)["id"]
    page = s.get("/staff/cases/%s" % cid)
    assert ('action="/staff/cases/%s/deadline-events"' % cid).encode() in \
        page.body
    assert s.post_form("/staff/cases/%s/status" % cid,
                       {"status": "filed"}).status == 303
    r = s.post_form("/staff/cases/%s/deadline-events" % cid,
                    {"rule": "case_decision", "kind": "extend", "on": "",
                     "note": "局长批准 Approved by the head"})
    assert r.status == 303, r
    assert r.header("location") == "/staff/cases/%s" % cid
    case = json.loads(s.get("/api/v1/staff/cases/%s" % cid).body)
    dl = {d["rule"]: d for d in case["tips"][0]["deadlines"]}
    assert dl["case_decision"]["extended"], dl
    # The notice, now that the decision to file is made.
    r = s.post_form("/staff/tips/%s/notice" % tip, {"on": ""})
    assert r.status == 303, r
    assert db_one(srv, "SELECT notified_on FROM tips WHERE public_id = ?",
                  (tip,)) is not None
    r = s.post_form("/staff/tips/%s/notice" % anon, {"on": ""})
    assert r.status == 409, r
    srv.assert_alive()


def test_verify_after_case_work(world):
    """Everything the case work wrote keeps `tipline verify` clean (the
    audit chain with its case entries, every reference)."""
    p = cli(world, "verify")
    assert p.returncode == 0, p.stdout + p.stderr
