# SPDX-License-Identifier: MIT
"""Repeated tips from the same tipster (order 121 第三十五条第二款, rule
repeat_tip_restart of deadline-rules.csv, from 2026-04-15) through the real
binary.

Intake keeps a keyed hash of the tipster's normalised contact
(tips.contact_mac: the e-mail trimmed and lower-cased, else the phone
number's digits; never the contact in plaintext) on every door, so the tip
detail relates the same tipster's tips (reason same_tipster).  The staff
action POST /api/v1/staff/tips/{id}/merge {"into", "new_facts", "note"}
(and its form on the tip page) merges a later tip into the earlier one:
with new facts the earlier tip's filing-decision deadline restarts on the
later tip's arrival day (only when the rule is in force for the earlier
tip), a plain repeat is marked invalid; both set duplicate_of, are audited
(tip.merge) and need the same registry institution and bureau."""

import json

import pytest

from staff_helpers import (OTHER_BUREAU, OWN_BUREAU, audit_rows, cli,
                           db_connect, db_exec, db_one, db_path,
                           import_institutions, mail_tip_for, staff_server)

INSTITUTIONS = (
    "name,credit_code,cma_cert_no,address,county_code,domains\n"
    "高平市华泰检测有限责任公司,91140581MA0K3HT2XL,180412050118,"
    "高平市米山镇,140581,building_materials;food\n"
    "山西国信检验检测股份有限公司,91140581MA0GX3N5KE,160412050777,"
    "高平市东城街道,140581,food;medical_ppe\n")
HUATAI = "高平市华泰检测有限责任公司"
GUOXIN = "山西国信检验检测股份有限公司"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("repeat")
    users = (("officer", "officer", OWN_BUREAU),
             ("other", "officer", OTHER_BUREAU),
             ("triage", "triage", "140500"))
    with staff_server(tmp, users) as (srv, s):
        import_institutions(srv, INSTITUTIONS, tmp)
        srv.officer, srv.other, srv.triage = (s[u[0]] for u in users)
        yield srv


def tip(srv, institution=HUATAI, county=OWN_BUREAU, **contact):
    """A tip through the JSON API about institution; returns its id."""
    body = {"summary": "%s出具虚假报告" % institution,
            "details": "%s未实际检测即出具合格报告。" % institution,
            "institution": institution, "county": county}
    body.update(contact)
    r = srv.request("POST", "/api/v1/tips", body=json.dumps(body),
                    headers={"Content-Type": "application/json"})
    assert r.status == 201, r
    return json.loads(r.body)["id"]


def pair(srv, **contact):
    """Two tips of one tipster about Huatai: (earlier, later)."""
    return tip(srv, **contact), tip(srv, **contact)


def mac(srv, tid):
    return db_one(srv, "SELECT contact_mac FROM tips WHERE public_id = ?",
                  (tid,))


def detail(s, tid):
    r = s.get("/api/v1/staff/tips/%s" % tid)
    assert r.status == 200, r
    return json.loads(r.body)


def related(s, tid):
    return {r["id"]: r["reason"].split(",") for r in detail(s, tid)["related"]}


def filing(s, tid):
    return {d["rule"]: d for d in detail(s, tid)["deadlines"]}[
        "report_filing_decision"]


def error_of(r):
    return json.loads(r.body)["error"]


def merge(s, tid, **body):
    return s.post_json("/api/v1/staff/tips/%s/merge" % tid, body)


def test_contact_mac_on_every_door(world):
    srv = world
    a = tip(srv, contact_email="Li.Si@Example.ORG")
    b = tip(srv, contact_email="li.si@example.org", contact_name="李四")
    c = tip(srv, contact_phone="138-0000 0000")
    d = tip(srv, contact_phone="13800000000")
    anon = tip(srv)
    name_only = tip(srv, contact_name="王五")
    assert mac(srv, a) is not None and len(mac(srv, a)) == 32
    assert mac(srv, a) == mac(srv, b)
    assert mac(srv, c) == mac(srv, d) != mac(srv, a)
    assert mac(srv, anon) is None and mac(srv, name_only) is None
    # E-mail: the sender's address is the contact.
    msg = ("From: LI.SI@example.org\r\nTo: tips@localhost\r\n"
           "Subject: repeat\r\nMIME-Version: 1.0\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n"
           "高平市华泰检测有限责任公司又出具虚假报告。\r\n").encode()
    mailed = mail_tip_for(srv, msg)
    assert mac(srv, mailed) == mac(srv, a)
    # 12315 entry by staff.
    r = srv.triage.post_json("/api/v1/staff/tips", {
        "wo_12315": "1140500202611280077", "summary": "12315转办",
        "details": "华泰检测未检先出报告。", "county": OWN_BUREAU,
        "institution": HUATAI, "contact_phone": "+86 (138) 0000-0000"})
    assert r.status == 201, r
    entered = json.loads(r.body)["id"]
    # +86 before a mobile number is the same phone (contact_mac.c).
    assert mac(srv, entered) is not None and mac(srv, entered) == mac(srv, c)
    # The contact is nowhere in the database in plaintext.
    conn = db_connect(srv)
    try:
        conn.execute("PRAGMA wal_checkpoint(FULL)")
    finally:
        conn.close()
    raw = open(db_path(srv), "rb").read()
    for needle in ("li.si@example.org", "Li.Si@Example.ORG", "13800000000",
                   "138-0000"):
        assert needle.encode() not in raw, needle
    # Related: the same tipster, in scope.
    rel = related(srv.officer, b)
    assert "same_tipster" in rel[a] and "same_tipster" in rel[mailed], rel
    assert "same_tipster" not in rel.get(c, []), rel
    assert "same_tipster" in related(srv.officer, d)[c]
    page = srv.officer.get("/staff/tips/%s" % b)
    assert "同一举报人 Same tipster".encode() in page.body
    # Another bureau's tip of the same tipster is not shown to an officer.
    far = tip(srv, institution=GUOXIN, county=OTHER_BUREAU,
              contact_email="li.si@example.org")
    assert db_one(srv, "SELECT bureau FROM tips WHERE public_id = ?",
                  (far,)) != OWN_BUREAU
    assert far not in related(srv.officer, b)
    assert "same_tipster" in related(srv.triage, b)[far]


def test_merge_with_new_facts_restarts_the_earlier_tip(world):
    srv = world
    s = srv.officer
    early, late = pair(srv, contact_email="zhao@example.org")
    # The earlier tip arrived in June 2026 (order 121 in force): overdue.
    db_exec(srv, "UPDATE tips SET received_on = '2026-06-01', received_at ="
            " received_at - 86400 * 180 WHERE public_id = ?", (early,))
    before = filing(s, early)
    assert before["state"] == "overdue" and before["start"] == "2026-06-01"
    overdue = [t["id"] for t in json.loads(
        s.get("/api/v1/staff/overdue").body)["tips"]]
    assert early in overdue
    late_on = db_one(srv, "SELECT received_on FROM tips WHERE public_id = ?",
                     (late,))

    r = merge(s, late, into=early, new_facts=True, note="补充了新的检测报告")
    assert r.status == 200, r
    doc = json.loads(r.body)
    assert doc == {"id": late, "into": early, "new_facts": True,
                   "status": "received", "previous_status": "received",
                   "duplicate_of": early, "restart_on": late_on}, doc
    after = filing(s, early)
    assert after["start"] == late_on and after["state"] == "running", after
    assert after["due"] > before["due"]
    t = detail(s, late)
    assert t["duplicate_of"] == early and t["status"] == "received"
    assert "duplicate" in related(s, early)[late]
    # One restart event on the earlier tip, a merge event on both.
    assert db_one(srv, "SELECT count(*) FROM deadline_events e JOIN tips t"
                  " ON t.id = e.tip_id WHERE t.public_id = ? AND e.kind ="
                  " 'restart' AND e.rule_id = 'report_filing_decision' AND"
                  " e.on_date = ?", (early, late_on)) == 1
    assert [e["kind"] for e in detail(s, early)["events"]] == ["merge"]
    assert [e["kind"] for e in t["events"]] == ["merge"]
    audit = [a for a in audit_rows(srv, "tip.merge") if a[3] == late]
    assert len(audit) == 1 and audit[0][1] == "officer", audit
    assert early in audit[0][4] and "补充了新的检测报告" in audit[0][4]
    # Neither is overdue now: the earlier runs again, the merged one has
    # the earlier one's clock.
    overdue = [t["id"] for t in json.loads(
        s.get("/api/v1/staff/overdue").body)["tips"]]
    assert early not in overdue and late not in overdue
    # The 12315 export registers the earlier tip only.
    r = s.get("/api/v1/staff/tips/export.csv")
    assert r.status == 200 and early.encode() in r.body, r
    assert late.encode() not in r.body
    # A merged tip is merged once.
    r = merge(s, late, into=early, new_facts=False)
    assert r.status == 400 and error_of(r)["field"] == "into", r
    srv.assert_alive()


def test_plain_repeat_is_invalid_without_restart(world):
    srv = world
    s = srv.officer
    early, late = pair(srv, contact_phone="13911112222")
    r = merge(s, late, into=early, new_facts=False)
    assert r.status == 200, r
    doc = json.loads(r.body)
    assert doc["status"] == "invalid" and doc["restart_on"] is None, doc
    assert doc["duplicate_of"] == early
    assert db_one(srv, "SELECT count(*) FROM deadline_events e JOIN tips t"
                  " ON t.id = e.tip_id WHERE t.public_id = ?", (early,)) == 0
    assert filing(s, early)["start"] == db_one(
        srv, "SELECT received_on FROM tips WHERE public_id = ?", (early,))
    assert detail(s, late)["duplicate_of"] == early
    assert any(a[3] == late for a in audit_rows(srv, "tip.merge"))


def test_merge_into_a_tip_with_a_case_joins_the_case(world):
    srv = world
    s = srv.officer
    early, late = pair(srv, contact_email="qian@example.org")
    r = s.post_json("/api/v1/staff/cases", {"from_tip": early})
    assert r.status == 201, r
    cid = json.loads(r.body)["id"]
    r = merge(s, late, into=early, new_facts=True)
    assert r.status == 200, r
    assert json.loads(r.body)["status"] == "verifying"
    case = json.loads(s.get("/api/v1/staff/cases/%s" % cid).body)
    assert sorted(t["id"] for t in case["tips"]) == sorted([early, late])
    # The case drives both from now on.
    r = s.post_json("/api/v1/staff/cases/%s/status" % cid,
                    {"status": "filed"})
    assert r.status == 200, r
    assert detail(s, late)["status"] == "filed"


def test_merge_refusals_change_nothing(world):
    srv = world
    s = srv.officer
    early, late = pair(srv, contact_email="sun@example.org")
    guoxin = tip(srv, institution=GUOXIN, contact_email="sun@example.org")
    far = tip(srv, county=OTHER_BUREAU, contact_email="sun@example.org")
    cases = [
        (dict(new_facts=True), "into"),
        (dict(into="T-2026-999999", new_facts=True), "into"),
        (dict(into=late, new_facts=True), "into"),            # itself
        (dict(into=guoxin, new_facts=True), "into"),          # institution
        (dict(into=far, new_facts=True), "into"),             # out of scope
        (dict(into=early), "new_facts"),
        (dict(into=early, new_facts="yes"), "new_facts"),
        (dict(into=early, new_facts=True, note="x" * 501), "note"),
    ]
    for body, field in cases:
        r = merge(s, late, **body)
        assert r.status == 400 and error_of(r)["field"] == field, (body, r)
    # The later tip is not merged into by the earlier one.
    r = merge(s, early, into=late, new_facts=True)
    assert r.status == 400 and error_of(r)["field"] == "into", r
    # Another bureau: triage may see both, but they are not one bureau's.
    r = merge(srv.triage, far, into=early, new_facts=True)
    assert r.status == 400 and error_of(r)["field"] == "into", r
    # An officer of another bureau does not see the tip at all.
    r = merge(srv.other, late, into=early, new_facts=True)
    assert r.status == 404, r
    r = s.post_json("/api/v1/staff/tips/%s/merge" % late,
                    {"into": early, "new_facts": True}, csrf=False)
    assert r.status == 403, r
    # The earlier tip arrived before order 121: no restart, named.
    db_exec(srv, "UPDATE tips SET received_on = '2026-04-14', received_at ="
            " received_at - 86400 * 240 WHERE public_id = ?", (early,))
    r = merge(s, late, into=early, new_facts=True)
    assert r.status == 400, r
    err = error_of(r)
    assert err["field"] == "new_facts" and "repeat_tip_restart" in \
        err["message"], err
    assert db_one(srv, "SELECT count(*) FROM tips WHERE duplicate_of IS NOT "
                  "NULL AND public_id IN (?, ?, ?, ?)",
                  (early, late, guoxin, far)) == 0
    assert not [a for a in audit_rows(srv, "tip.merge")
                if a[3] in (early, late, far)]
    # A plain repeat is still recorded.
    r = merge(s, late, into=early, new_facts=False)
    assert r.status == 200, r
    srv.assert_alive()


def test_merge_form_on_the_tip_page(world):
    srv = world
    s = srv.officer
    early, late = pair(srv, contact_email="zhou@example.org")
    page = s.get("/staff/tips/%s" % late)
    assert page.status == 200 and b'id="form-merge"' in page.body
    assert ('action="/staff/tips/%s/merge"' % late).encode() in page.body
    r = s.post_form("/staff/tips/%s/merge" % late,
                    {"into": early, "new_facts": "1", "note": ""})
    assert r.status == 303, r
    assert r.header("location") == "/staff/tips/%s#triage" % late
    assert detail(s, late)["duplicate_of"] == early
    assert filing(s, early)["start"] == db_one(
        srv, "SELECT received_on FROM tips WHERE public_id = ?", (late,))
    r = s.post_form("/staff/tips/%s/merge" % late,
                    {"into": early, "new_facts": "1"}, csrf=False)
    assert r.status == 403, r
    srv.assert_alive()


def test_verify_after_merges(world):
    """Merges keep `tipline verify` clean (audit chain, references)."""
    p = cli(world, "verify")
    assert p.returncode == 0, p.stdout + p.stderr
