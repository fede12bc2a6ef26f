# SPDX-License-Identifier: MIT
"""The audit log of staff actions (issue 5): every audited action leaves
its entry (logins and failures, each view of tip content, each attachment
download, messages, user changes on the command line, reading the log);
GET /api/v1/staff/audit filters by user, object and date; and an entry
edited in SQLite (triggers dropped) makes `tipline verify` fail, naming
the entry."""

import json
import re
import time

from staff_helpers import (OWN_BUREAU, add_user, admin_password,
                           attachment_id, audit_rows, cli, db_connect,
                           login, login_response, submit_tip)

from harness import make_png, run_tipline


def actions(server):
    return [(row[1], row[2], row[3]) for row in audit_rows(server)]


def has(server, user, action, obj=None):
    return any(u == user and a == action and (obj is None or o == obj)
               for u, a, o in actions(server))


def test_each_action_is_audited(server):
    pw = admin_password(server)
    # The command line: create, set a password, list, disable.
    p = cli(server, "user", "add", "zhao", "--role", "officer",
            "--bureau", OWN_BUREAU)
    assert p.returncode == 0, p.stderr
    assert re.search(r"^password: \S{20}$", p.stdout, re.M), p.stdout
    assert has(server, "cli", "user.create", "user:zhao")
    p = cli(server, "user", "passwd", "zhao",
            input="赵的新密码-long-enough\n")
    assert p.returncode == 0, p.stderr
    assert has(server, "cli", "user.passwd", "user:zhao")
    p = cli(server, "user", "list")
    assert p.returncode == 0 and "zhao" in p.stdout, p.stdout
    assert has(server, "cli", "user.list")

    tip = submit_tip(server, OWN_BUREAU)
    s = login(server, "zhao", "赵的新密码-long-enough")
    assert has(server, "zhao", "login", "user:zhao")
    assert login_response(server, "zhao", "wrong password").status == 401
    assert has(server, "zhao", "login.fail", "user:zhao")

    assert s.get("/api/v1/staff/tips").status == 200
    assert has(server, "zhao", "tip.list")
    assert s.get("/api/v1/staff/tips/%s" % tip).status == 200
    assert has(server, "zhao", "tip.view", tip)
    assert s.get("/staff/tips/%s" % tip).status == 200
    assert sum(1 for u, a, o in actions(server)
               if (u, a, o) == ("zhao", "tip.view", tip)) == 2
    aid = attachment_id(server, tip)
    r = s.get("/api/v1/staff/tips/%s/attachments/%d" % (tip, aid))
    assert r.status == 200 and r.body == make_png(), r
    assert has(server, "zhao", "attachment.download",
               "%s:attachment:%d" % (tip, aid))
    assert s.post_json("/api/v1/staff/tips/%s/messages" % tip,
                       {"text": "请补充材料"}).status == 201
    assert has(server, "zhao", "message.add", tip)
    assert s.post_json("/api/v1/session/logout", {}).status == 200
    assert has(server, "zhao", "logout", "user:zhao")

    p = cli(server, "user", "disable", "zhao")
    assert p.returncode == 0, p.stderr
    assert has(server, "cli", "user.disable", "user:zhao")

    # The auditor reads it through the API, filtered.
    add_user(server, "jiwei", "auditor")
    a = login(server, "jiwei", pw)
    r = a.get("/api/v1/staff/audit?user=zhao")
    assert r.status == 200, r
    doc = json.loads(r.body)
    assert set(doc) == {"entries", "next"}
    got = {e["action"] for e in doc["entries"]}
    assert {"login", "login.fail", "tip.list", "tip.view",
            "attachment.download", "message.add", "logout"} <= got, got
    for e in doc["entries"]:
        assert set(e) == {"at", "user", "action", "object", "reason"}, e
        assert e["user"] == "zhao"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["at"])
    r = a.get("/api/v1/staff/audit?object=%s" % tip)
    objs = {e["object"] for e in json.loads(r.body)["entries"]}
    assert objs == {tip, "%s:attachment:%d" % (tip, aid)}, objs
    today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
    r = a.get("/api/v1/staff/audit?user=zhao&from=%s&to=%s" % (today, today))
    assert len(json.loads(r.body)["entries"]) == len(doc["entries"])
    r = a.get("/api/v1/staff/audit?user=zhao&to=2000-01-01")
    assert json.loads(r.body)["entries"] == []
    assert a.get("/api/v1/staff/audit?from=yesterday").status == 400
    # Paging: a cursor walks on where the page ended (zhao's entries no
    # longer change; the reader's own audit.view entries are filtered out).
    r = a.get("/api/v1/staff/audit?user=zhao&limit=3")
    first = json.loads(r.body)
    assert first["entries"] == doc["entries"][:3] and first["next"], first
    r = a.get("/api/v1/staff/audit?user=zhao&limit=3&cursor=%s"
              % first["next"])
    assert json.loads(r.body)["entries"] == doc["entries"][3:6]
    # Reading the log is itself on record; the page shows it.
    assert has(server, "jiwei", "audit.view")
    r = a.get("/staff/audit?user=zhao")
    assert r.status == 200 and b"attachment.download" in r.body, r


def test_login_failure_of_unknown_account_is_audited(server):
    assert login_response(server, "nobody", "whatever pw").status == 401
    rows = [r for r in audit_rows(server, "login.fail")]
    assert rows and rows[-1][1] is None and rows[-1][4] == \
        "unknown account", rows


def test_attachment_download_headers(server):
    pw = admin_password(server)
    add_user(server, "dl", "triage", "140500")
    tip = submit_tip(server, OWN_BUREAU)
    s = login(server, "dl", pw)
    r = s.get("/api/v1/staff/tips/%s/attachments/%d"
              % (tip, attachment_id(server, tip)))
    assert r.status == 200, r
    assert r.header("content-type") == "application/octet-stream"
    assert r.header("x-content-type-options") == "nosniff"
    assert "sandbox" in r.header("content-security-policy")
    cd = r.header("content-disposition")
    assert cd.startswith("attachment;"), cd
    assert "filename*=UTF-8''%E6%A3%80%E6%B5%8B%E6%8A%A5%E5%91%8A.png" in cd
    detail = json.loads(s.get("/api/v1/staff/tips/%s" % tip).body)
    att = detail["attachments"][0]
    assert att["name"] == "检测报告.png" and att["type"] == "image/png"
    import hashlib
    assert att["sha256"] == hashlib.sha256(make_png()).hexdigest()
    assert att["url"].endswith("/attachments/%d" % att["id"])


def test_edited_audit_entry_fails_verify(server):
    pw = admin_password(server)
    add_user(server, "li", "triage", "140500")
    s = login(server, "li", pw)
    tip = submit_tip(server, OWN_BUREAU, with_png=False)
    assert s.get("/api/v1/staff/tips/%s" % tip).status == 200
    p = run_tipline("verify", "--data", server.data_dir)
    assert p.returncode == 0, p.stdout + p.stderr
    assert server.stop() == 0, server.stderr_text()

    # Hide the look: drop the trigger, edit the entry.
    conn = db_connect(server)
    try:
        row = conn.execute("SELECT id FROM audit WHERE action = 'tip.view' "
                           "AND user = 'li'").fetchone()
        assert row is not None
        conn.execute("DROP TRIGGER audit_no_update")
        conn.execute("UPDATE audit SET user = 'someone-else' WHERE id = ?",
                     (row[0],))
        conn.commit()
    finally:
        conn.close()
    p = run_tipline("verify", "--data", server.data_dir)
    out = p.stdout + p.stderr
    assert p.returncode == 1, out
    assert "audit entry %d" % row[0] in out, out
