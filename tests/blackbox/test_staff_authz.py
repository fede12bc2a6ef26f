# SPDX-License-Identifier: MIT
"""The authorisation matrix of the staff side: every staff route, HTML and
JSON, for every role (admin, triage, officer, auditor), against a tip of
the officer's own bureau and one of another bureau, and for a caller who is
logged out, whose session has expired, or whose account was disabled
after logging in.  Each cell checks the status (and, where it matters,
what the answer contains).

    A LATER ISSUE THAT ADDS A STAFF ROUTE MUST ADD IT TO ROUTES BELOW AND
    GIVE ITS EXPECTED ANSWERS IN expected(): a route missing here is a
    route whose access rules nobody checks.

The rules (issue 5, design.md "Security model", contract.md "JSON API"):
admin and triage see every tip, an officer only the tips of their bureau
(another bureau's tip answers 404 exactly like a missing one), an auditor
no tip content but the audit log, which admin may read too.  Without a
live session the JSON API answers 401, a page GET redirects to
/staff/login and a page POST answers 401.  One server serves the whole
module; accounts are made straight in its database."""

import json

import pytest

from harness import finish_server, launch_server
from staff_helpers import (OTHER_BUREAU, OWN_BUREAU, add_user,
                           admin_password, age_session, attachment_id,
                           db_exec, login, submit_tip)

ROLES = ("admin", "triage", "officer", "auditor")
STATES = ("own", "other", "logged_out", "expired", "disabled")
TIP_ROLES = ("admin", "triage", "officer")
AUDIT_ROLES = ("admin", "auditor")
NEW_PASSWORD = "a-new-password-42"

# (name, method, path, kind, body, what)
#   kind: "json" (the API) or "html" (a page; POSTs are forms)
#   what: what the route concerns, for expected()
ROUTES = [
    ("api.tips", "GET", "/api/v1/staff/tips", "json", None, "list"),
    ("api.tip", "GET", "/api/v1/staff/tips/{tip}", "json", None, "tip"),
    ("api.attachment", "GET",
     "/api/v1/staff/tips/{tip}/attachments/{aid}", "json", None, "tip"),
    ("api.message", "POST", "/api/v1/staff/tips/{tip}/messages", "json",
     {"text": "请补充检测报告原件。Please send the original report."},
     "tip"),
    ("api.audit", "GET", "/api/v1/staff/audit", "json", None, "audit"),
    ("api.password", "POST", "/api/v1/session/password", "json",
     {"old": "not-the-password", "new": NEW_PASSWORD}, "self"),
    ("api.logout", "POST", "/api/v1/session/logout", "json", {}, "logout"),
    ("page.index", "GET", "/staff/", "html", None, "index"),
    ("page.tips", "GET", "/staff/tips", "html", None, "list"),
    ("page.tip", "GET", "/staff/tips/{tip}", "html", None, "tip"),
    ("page.message", "POST", "/staff/tips/{tip}/messages", "html",
     {"text": "请补充材料 Please add material"}, "tip"),
    ("page.audit", "GET", "/staff/audit", "html", None, "audit"),
    ("page.password", "GET", "/staff/password", "html", None, "self"),
    ("page.password.post", "POST", "/staff/password", "html",
     {"old": "not-the-password", "new": NEW_PASSWORD,
      "new2": NEW_PASSWORD}, "self"),
    ("page.logout", "POST", "/staff/logout", "html", {}, "logout"),
]


class World:
    """The module's server, accounts, tips and sessions."""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World()
    srv = launch_server(tmp_path_factory.mktemp("authz"))
    try:
        w.server = srv
        w.password = admin_password(srv)
        w.bureau = {"admin": None, "triage": "140500",
                    "officer": OWN_BUREAU, "auditor": None}
        for role in ROLES:
            add_user(srv, "m_" + role, role, w.bureau[role])
            add_user(srv, "m_" + role + "_off", role, w.bureau[role])
        w.tips = {"own": submit_tip(srv, OWN_BUREAU),
                  "other": submit_tip(srv, OTHER_BUREAU)}
        w.aids = {k: attachment_id(srv, v) for k, v in w.tips.items()}
        w.sessions = {role: login(srv, "m_" + role, w.password)
                      for role in ROLES}
        # Sessions that die: aged past the idle limit, or whose account
        # is disabled after the login (taking effect on the next request).
        w.expired = {}
        w.disabled = {}
        for role in ROLES:
            s = login(srv, "m_" + role, w.password)
            age_session(srv, s.token, idle=31 * 60)
            w.expired[role] = s
            w.disabled[role] = login(srv, "m_" + role + "_off", w.password)
            db_exec(srv, "UPDATE users SET disabled = 1 WHERE login = ?",
                    ("m_" + role + "_off",))
        yield w
    finally:
        try:
            finish_server(srv)
        finally:
            if srv.returncode is None:
                srv.kill()


def expected(route, role, state):
    """(status, Location or None) that route must answer role in state."""
    name, method, _, kind, _, what = route
    if state in ("logged_out", "expired", "disabled"):
        if kind == "html" and method == "GET":
            return 303, "/staff/login"
        return 401, None
    if what == "list":
        return (200, None) if role in TIP_ROLES else (403, None)
    if what == "tip":
        if role not in TIP_ROLES:
            return 403, None
        if role == "officer" and state == "other":
            return 404, None
        if method == "POST":
            return (201, None) if kind == "json" else (303, None)
        return 200, None
    if what == "audit":
        return (200, None) if role in AUDIT_ROLES else (403, None)
    if what == "self":
        # The password routes, with a wrong current password.
        return (403, None) if method == "POST" else (200, None)
    if what == "logout":
        return (200, None) if kind == "json" else (303, "/staff/login")
    if what == "index":
        return 303, "/staff/tips" if role in TIP_ROLES else "/staff/audit"
    raise AssertionError("no rule for route %s" % name)


def send(w, route, session, state, with_csrf=True):
    name, method, path, kind, body, _ = route
    target = "own" if state == "logged_out" else state
    if target not in w.tips:
        target = "own"
    path = path.replace("{tip}", w.tips[target])
    path = path.replace("{aid}", str(w.aids[target]))
    headers = {}
    if session is not None:
        headers["Cookie"] = "tipline_session=%s" % session.token
    if method == "GET":
        return w.server.request("GET", path, headers=headers)
    if kind == "json":
        headers["Content-Type"] = "application/json"
        if session is not None and with_csrf:
            headers["X-CSRF-Token"] = session.csrf
        data = json.dumps(body)
    else:
        from urllib.parse import urlencode
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        fields = dict(body)
        if session is not None and with_csrf:
            fields["csrf"] = session.csrf
        data = urlencode(fields)
    return w.server.request("POST", path, body=data, headers=headers)


def session_for(w, route, role, state):
    if state == "logged_out":
        return None
    if state == "expired":
        return w.expired[role]
    if state == "disabled":
        return w.disabled[role]
    if route[5] == "logout":
        # Logging out ends the session: use one of its own.
        return login(w.server, "m_" + role, w.password)
    return w.sessions[role]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=[r[0] for r in ROUTES])
def test_matrix(world, route, role, state):
    w = world
    status, location = expected(route, role, state)
    r = send(w, route, session_for(w, route, role, state), state)
    assert r.status == status, "%s as %s (%s): want %d, got %r" % (
        route[0], role, state, status, r)
    if location is not None:
        assert r.header("location") == location, r
    ctype = r.header("content-type") or ""
    if route[3] == "json" and r.status != 200 or route[3] == "json" and \
            route[0] != "api.attachment":
        assert ctype.startswith("application/json"), r
    if route[3] == "html" and r.status != 303:
        assert ctype.startswith("text/html"), r
    if r.status == 200 and route[5] == "list":
        own, other = (w.tips["own"].encode(), w.tips["other"].encode())
        assert own in r.body, "%s as %s lacks its own tip" % (route[0], role)
        if role == "officer":
            assert other not in r.body, \
                "an officer's list shows another bureau's tip"
        else:
            assert other in r.body, "%s as %s lacks a tip" % (route[0], role)
    if r.status == 200 and route[0] in ("api.tip", "page.tip"):
        assert "该机构未实际检测".encode() in r.body, "no content: %r" % r
    w.server.assert_alive()


def test_other_bureau_is_exactly_missing(world):
    """An officer asking for another bureau's tip or attachment gets the
    very answer of a tip that does not exist."""
    w = world
    s = w.sessions["officer"]
    for fmt in ("/api/v1/staff/tips/%s", "/staff/tips/%s",
                "/api/v1/staff/tips/%s/attachments/1"):
        other = s.get(fmt % w.tips["other"])
        missing = s.get(fmt % "T-2099-999999")
        assert other.status == missing.status == 404, (other, missing)
        assert other.body.replace(w.tips["other"].encode(), b"") == \
            missing.body.replace(b"T-2099-999999", b""), (other, missing)
    # And an officer cannot list it by asking for its bureau.
    r = s.get("/api/v1/staff/tips?bureau=%s" % OTHER_BUREAU)
    assert r.status == 200 and json.loads(r.body)["tips"] == [], r
    # An attachment id of another tip does not open under one's own tip.
    r = s.get("/api/v1/staff/tips/%s/attachments/%d"
              % (w.tips["own"], w.aids["other"]))
    assert r.status == 404, r


def test_post_without_csrf_is_refused_for_every_role(world):
    """Every state-changing route refuses a live session without the
    CSRF token (403), whatever the role."""
    w = world
    for route in ROUTES:
        if route[1] != "POST":
            continue
        for role in ROLES:
            s = session_for(w, route, role, "own")
            r = send(w, route, s, "own", with_csrf=False)
            assert r.status == 403, "%s as %s without CSRF: %r" % (
                route[0], role, r)
