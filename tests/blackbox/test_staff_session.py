# SPDX-License-Identifier: MIT
"""Staff sessions (issue 5, contract.md "JSON API"): cookie flags, a new
token at every login (no fixation), logout that holds server-side (no
replay), idle (30 minutes) and absolute (12 hours) expiry, CSRF on every
state change (missing or wrong -> 403 and nothing changes), the forced
password change at first login, and a disabled account or a changed role
taking effect on the very next request.  Expiry is tested by ageing the
session row in SQLite, never by a hidden knob in the server."""

import json
import re

from staff_helpers import (COOKIE, OTHER_BUREAU, OWN_BUREAU, add_user,
                           admin_password, age_session, cli, cookie_of,
                           db_one, login, login_response, submit_tip,
                           token_hash)

NEW_PASSWORD = "正确的新密码-correct-horse-42"


def set_cookie_header(resp):
    values = [v for v in resp.headers.get("set-cookie", [])
              if v.startswith(COOKIE + "=")]
    assert len(values) == 1, resp
    return values[0]


def attributes(header):
    parts = [p.strip() for p in header.split(";")]
    return {p.split("=")[0].lower(): (p.split("=", 1)[1] if "=" in p
                                      else True) for p in parts[1:]}


def test_cookie_flags(server):
    pw = admin_password(server)
    r = login_response(server, "admin", pw)
    assert r.status == 200, r
    attrs = attributes(set_cookie_header(r))
    assert attrs.get("httponly") is True, attrs
    assert attrs.get("samesite") == "Strict", attrs
    assert attrs.get("path") == "/", attrs
    assert "secure" not in attrs, "Secure without cookie_secure: %r" % attrs
    token = cookie_of(r)
    assert re.fullmatch(r"[0-9a-f]{64}", token), token
    body = json.loads(r.body)
    assert set(body) == {"csrf_token", "role", "bureau",
                         "must_change_password"}, body
    assert body["role"] == "admin" and body["bureau"] is None
    assert body["must_change_password"] is True
    # Only the hash is stored, never the token.
    assert db_one(server, "SELECT count(*) FROM sessions WHERE "
                  "token_hash = ?", (token_hash(token),)) == 1
    assert db_one(server, "SELECT count(*) FROM sessions WHERE "
                  "token_hash = ?", (token.encode(),)) == 0


def test_cookie_secure_when_configured(start_server):
    srv = start_server(config={"security": {"cookie_secure": "true"}})
    r = login_response(srv, "admin", admin_password(srv))
    assert r.status == 200, r
    assert attributes(set_cookie_header(r)).get("secure") is True


def test_no_fixation(server):
    pw = admin_password(server)
    add_user(server, "fix", "triage", "140500")
    planted = "ab" * 32
    r = login_response(server, "fix", pw, cookie=planted)
    assert r.status == 200, r
    token = cookie_of(r)
    assert token and token != planted
    h = {"Cookie": "%s=%s" % (COOKIE, planted)}
    assert server.request("GET", "/api/v1/staff/tips", headers=h).status \
        == 401
    # Logging in again with a live session replaces it.
    r2 = login_response(server, "fix", pw, cookie=token)
    token2 = cookie_of(r2)
    assert token2 and token2 != token
    old = {"Cookie": "%s=%s" % (COOKIE, token)}
    new = {"Cookie": "%s=%s" % (COOKIE, token2)}
    assert server.request("GET", "/api/v1/staff/tips", headers=old).status \
        == 401
    assert server.request("GET", "/api/v1/staff/tips", headers=new).status \
        == 200


def test_logout_cannot_be_replayed(server):
    pw = admin_password(server)
    add_user(server, "out", "triage", "140500")
    s = login(server, "out", pw)
    assert s.get("/api/v1/staff/tips").status == 200
    r = s.post_json("/api/v1/session/logout", {})
    assert r.status == 200, r
    cleared = attributes(set_cookie_header(r))
    assert cleared.get("max-age") == "0", cleared
    assert db_one(server, "SELECT count(*) FROM sessions WHERE "
                  "token_hash = ?", (token_hash(s.token),)) == 0
    # The old cookie, sent again, is worth nothing.
    assert s.get("/api/v1/staff/tips").status == 401
    assert s.post_json("/api/v1/session/logout", {}).status == 401
    r = s.get("/staff/tips")
    assert r.status == 303 and r.header("location") == "/staff/login", r
    # The page logout too.
    s2 = login(server, "out", pw)
    r = s2.post_form("/staff/logout", {})
    assert r.status == 303 and r.header("location") == "/staff/login", r
    assert s2.get("/api/v1/staff/tips").status == 401


def test_idle_expiry(server):
    pw = admin_password(server)
    add_user(server, "idle", "triage", "140500")
    s = login(server, "idle", pw)
    age_session(server, s.token, idle=29 * 60)
    assert s.get("/api/v1/staff/tips").status == 200, "expired too early"
    # That request moved last_seen to now; 31 idle minutes end it.
    age_session(server, s.token, idle=31 * 60)
    assert s.get("/api/v1/staff/tips").status == 401
    assert db_one(server, "SELECT count(*) FROM sessions WHERE "
                  "token_hash = ?", (token_hash(s.token),)) == 0


def test_absolute_expiry(server):
    pw = admin_password(server)
    add_user(server, "long", "triage", "140500")
    s = login(server, "long", pw)
    age_session(server, s.token, absolute=11 * 3600 + 50 * 60)
    assert s.get("/api/v1/staff/tips").status == 200
    # In use all along (last_seen fresh), but older than 12 hours.
    age_session(server, s.token, absolute=11 * 60)
    assert s.get("/api/v1/staff/tips").status == 401


def message_count(server):
    return db_one(server, "SELECT count(*) FROM messages")


def test_csrf_missing_or_wrong_changes_nothing(server):
    pw = admin_password(server)
    add_user(server, "csrf", "officer", OWN_BUREAU)
    add_user(server, "csrf2", "officer", OWN_BUREAU)
    tip = submit_tip(server, OWN_BUREAU, with_png=False)
    s = login(server, "csrf", pw)
    other = login(server, "csrf2", pw)
    path = "/api/v1/staff/tips/%s/messages" % tip
    before = message_count(server)
    cases = [
        ("missing", s.headers(csrf=False)),
        ("wrong", s.headers(extra={"X-CSRF-Token": "0" * 64})),
        ("another session's", s.headers(extra={"X-CSRF-Token":
                                               other.csrf})),
        ("empty", s.headers(extra={"X-CSRF-Token": ""})),
    ]
    for what, headers in cases:
        headers["Content-Type"] = "application/json"
        r = server.request("POST", path, body=json.dumps({"text": "x"}),
                           headers=headers)
        assert r.status == 403, "%s CSRF token: %r" % (what, r)
        assert json.loads(r.body)["error"]["code"] == "csrf", r
    # The form: no field, a wrong one.
    page = "/staff/tips/%s/messages" % tip
    assert s.post_form(page, {"text": "x"}, csrf=False).status == 403
    assert s.post_form(page, {"text": "x", "csrf": other.csrf},
                       csrf=False).status == 403
    # A password change without the token changes nothing either.
    r = s.post_json("/api/v1/session/password",
                    {"old": pw, "new": NEW_PASSWORD}, csrf=False)
    assert r.status == 403, r
    assert login_response(server, "csrf", pw).status == 200
    assert message_count(server) == before
    # With the token it works.
    r = s.post_json(path, {"text": "请补充材料"})
    assert r.status == 201, r
    assert message_count(server) == before + 1


def test_forced_password_change(server):
    pw = admin_password(server)
    s = login(server, "admin", pw)
    assert s.body["must_change_password"] is True
    for path in ("/api/v1/staff/tips", "/api/v1/staff/audit"):
        r = s.get(path)
        assert r.status == 403, r
        assert json.loads(r.body)["error"]["code"] == \
            "password_change_required", r
    r = s.get("/staff/tips")
    assert r.status == 303 and r.header("location") == "/staff/password"
    assert s.get("/staff/password").status == 200
    # Too short, wrong old: refused, still forced.
    r = s.post_json("/api/v1/session/password", {"old": pw, "new": "short"})
    assert r.status == 400, r
    r = s.post_json("/api/v1/session/password",
                    {"old": "wrong-wrong-wrong", "new": NEW_PASSWORD})
    assert r.status == 403, r
    assert s.get("/api/v1/staff/tips").status == 403
    r = s.post_json("/api/v1/session/password", {"old": pw,
                                                 "new": NEW_PASSWORD})
    assert r.status == 200, r
    # The same session goes on, now with every right of its role.
    assert s.get("/api/v1/staff/tips").status == 200
    assert s.get("/api/v1/staff/audit").status == 200
    # The old password is gone, the new one works.
    assert login_response(server, "admin", pw).status == 401
    r = login_response(server, "admin", NEW_PASSWORD)
    assert r.status == 200 and json.loads(r.body)[
        "must_change_password"] is False


def test_password_change_ends_other_sessions(server):
    pw = admin_password(server)
    add_user(server, "two", "triage", "140500")
    a = login(server, "two", pw)
    b = login(server, "two", pw)
    r = a.post_json("/api/v1/session/password", {"old": pw,
                                                 "new": NEW_PASSWORD})
    assert r.status == 200, r
    assert a.get("/api/v1/staff/tips").status == 200
    assert b.get("/api/v1/staff/tips").status == 401


def test_disable_takes_effect_on_next_request(server):
    pw = admin_password(server)
    add_user(server, "gone", "officer", OWN_BUREAU)
    s = login(server, "gone", pw)
    assert s.get("/api/v1/staff/tips").status == 200
    p = cli(server, "user", "disable", "gone")
    assert p.returncode == 0, p.stderr
    assert s.get("/api/v1/staff/tips").status == 401
    assert login_response(server, "gone", pw).status == 401


def test_role_change_takes_effect_on_next_request(server):
    pw = admin_password(server)
    add_user(server, "mover", "officer", OWN_BUREAU)
    own = submit_tip(server, OWN_BUREAU, with_png=False)
    other = submit_tip(server, OTHER_BUREAU, with_png=False)
    s = login(server, "mover", pw)
    assert s.get("/api/v1/staff/tips/%s" % own).status == 200
    assert s.get("/api/v1/staff/tips/%s" % other).status == 404
    # Moved to the other bureau: the same session sees the other tip now.
    from staff_helpers import db_exec
    db_exec(server, "UPDATE users SET bureau = ? WHERE login = 'mover'",
            (OTHER_BUREAU,))
    assert s.get("/api/v1/staff/tips/%s" % own).status == 404
    assert s.get("/api/v1/staff/tips/%s" % other).status == 200
    # Made an auditor: no tip content, the audit log instead.
    db_exec(server, "UPDATE users SET role = 'auditor', bureau = NULL "
            "WHERE login = 'mover'")
    assert s.get("/api/v1/staff/tips/%s" % other).status == 403
    assert s.get("/api/v1/staff/audit").status == 200


def test_unknown_user_and_wrong_password_look_alike(server):
    pw = admin_password(server)
    add_user(server, "real", "triage", "140500")
    add_user(server, "off", "triage", "140500")
    from staff_helpers import db_exec
    db_exec(server, "UPDATE users SET disabled = 1 WHERE login = 'off'")
    answers = [login_response(server, name, secret) for name, secret in
               (("real", "wrong password!"), ("nobody", "wrong password!"),
                ("off", pw))]
    for r in answers:
        assert r.status == 401, r
        assert r.body == answers[0].body, (r, answers[0])
        assert cookie_of(r) is None
    # The login page says the same for both.
    from staff_helpers import login_page_post
    pages = [login_page_post(server, {"login": name,
                                      "password": "wrong password!"})
             for name in ("real", "nobody")]
    assert pages[0].status == pages[1].status == 401
    # The same page but for its fresh login token.
    import re
    mask = [re.sub(rb'name="login_csrf" value="[0-9a-f]+"', b"", p.body)
            for p in pages]
    assert mask[0] == mask[1]


def test_html_login_and_logout(server):
    pw = admin_password(server)
    add_user(server, "page", "officer", OWN_BUREAU)
    r = server.request("GET", "/staff/login")
    assert r.status == 200 and b'name="password"' in r.body, r
    from staff_helpers import login_page_post
    # Without the page's login token (another site posting the form): 403,
    # no session.
    r = login_page_post(server, {"login": "page", "password": pw},
                        with_token=False)
    assert r.status == 403 and cookie_of(r) is None, r
    r = login_page_post(server, {"login": "page", "password": pw})
    assert r.status == 303 and r.header("location") == "/staff/", r
    token = cookie_of(r)
    h = {"Cookie": "%s=%s" % (COOKIE, token)}
    r = server.request("GET", "/staff/", headers=h)
    assert r.status == 303 and r.header("location") == "/staff/tips", r
    r = server.request("GET", "/staff/tips", headers=h)
    assert r.status == 200 and "举报".encode() in r.body, r
    assert b"logout" in r.body
