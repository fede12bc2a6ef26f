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

from staff_helpers import (OTHER_BUREAU, OWN_BUREAU, admin_password,
                           age_session, attachment_id, db_exec, db_one,
                           login, staff_server, submit_tip)

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
    # Issue 7: tips transferred from 12315, and the export for 12315.
    ("api.tips.create", "POST", "/api/v1/staff/tips", "json",
     {"summary": "12315转办：检测机构出具虚假报告",
      "details": "12315平台转来的举报。Transferred from 12315.",
      "county": OWN_BUREAU}, "entry"),
    ("api.tips.export", "GET", "/api/v1/staff/tips/export.csv", "json",
     None, "export"),
    ("page.tips.new", "GET", "/staff/tips/new", "html", None, "entry"),
    ("page.tips.new.post", "POST", "/staff/tips/new", "html",
     {"summary": "12315转办举报", "details": "转办内容 Transferred.",
      "county": OWN_BUREAU}, "entry"),
    # Issue 6: triage.  "{bureau}" is the target tip's own bureau, so
    # that a re-route keeps every tip where the matrix expects it.
    ("api.route", "POST", "/api/v1/staff/tips/{tip}/route", "json",
     {"bureau": "{bureau}", "reason": "核实属地 Checked the place"},
     "triage"),
    ("api.status", "POST", "/api/v1/staff/tips/{tip}/status", "json",
     {"status": "triaged", "note": "确认 Confirmed"}, "triage"),
    ("api.classify", "POST", "/api/v1/staff/tips/{tip}/classify", "json",
     {"domain": "food"}, "triage"),
    ("page.route", "POST", "/staff/tips/{tip}/route", "html",
     {"bureau": "{bureau}", "reason": "核实属地"}, "triage"),
    ("page.status", "POST", "/staff/tips/{tip}/status", "html",
     {"status": "triaged"}, "triage"),
    ("page.classify", "POST", "/staff/tips/{tip}/classify", "html",
     {"domain": "food"}, "triage"),
    # Issue 7: inspection cases.  "{case}" is a case of the target's
    # bureau with the tip "{ctip}" linked; "{xtip}" a tip of that bureau
    # in no case.  "case:N" is the answer of a role that may work cases
    # (409: the case's state refuses the change, the same every time).
    ("api.cases", "GET", "/api/v1/staff/cases", "json", None, "caselist"),
    ("api.cases.create", "POST", "/api/v1/staff/cases", "json",
     {"institution": "{inst}", "bureau": OWN_BUREAU}, "create:201"),
    ("api.case", "GET", "/api/v1/staff/cases/{case}", "json", None,
     "case:200"),
    ("api.case.link", "POST", "/api/v1/staff/cases/{case}/tips", "json",
     {"tip": "{ctip}"}, "case:409"),
    ("api.case.unlink", "POST",
     "/api/v1/staff/cases/{case}/tips/{xtip}/unlink", "json",
     {"reason": "不相关 Unrelated"}, "case:409"),
    ("api.case.status", "POST", "/api/v1/staff/cases/{case}/status", "json",
     {"status": "closed"}, "case:409"),
    ("api.case.outcome", "POST", "/api/v1/staff/cases/{case}/outcome",
     "json", {"rectify_ordered": True}, "case:409"),
    ("api.case.message", "POST", "/api/v1/staff/cases/{case}/messages",
     "json", {"text": "案件核查中 Being verified"}, "case:201"),
    ("api.case.deadline", "POST",
     "/api/v1/staff/cases/{case}/deadline-events", "json",
     {"kind": "pause"}, "case:201"),
    ("api.tip.notice", "POST", "/api/v1/staff/tips/{ctip}/notice", "json",
     {}, "case:409"),
    ("api.tip.deadline", "POST", "/api/v1/staff/tips/{ctip}/deadline-events",
     "json", {"kind": "pause"}, "case:201"),
    ("api.overdue", "GET", "/api/v1/staff/overdue", "json", None,
     "overdue"),
    ("page.cases", "GET", "/staff/cases", "html", None, "caselist"),
    ("page.cases.create", "POST", "/staff/cases", "html",
     {"institution": "{inst}", "bureau": OWN_BUREAU}, "create:303"),
    ("page.case", "GET", "/staff/cases/{case}", "html", None, "case:200"),
    ("page.case.link", "POST", "/staff/cases/{case}/tips", "html",
     {"tip": "{ctip}"}, "case:409"),
    ("page.case.unlink", "POST", "/staff/cases/{case}/tips/{xtip}/unlink",
     "html", {"reason": "不相关"}, "case:409"),
    ("page.case.status", "POST", "/staff/cases/{case}/status", "html",
     {"status": "closed"}, "case:409"),
    ("page.case.outcome", "POST", "/staff/cases/{case}/outcome", "html",
     {"rectify_ordered": "1"}, "case:409"),
    ("page.case.message", "POST", "/staff/cases/{case}/messages", "html",
     {"text": "案件核查中"}, "case:303"),
    ("page.overdue", "GET", "/staff/overdue", "html", None, "overdue"),
    # Issue 7 gaps: the forms of deadline events and of the notice, and
    # the merge of a repeated tip (refused every time: {ctip} arrived
    # later and names no registry institution, so nothing changes).
    ("page.case.deadline", "POST", "/staff/cases/{case}/deadline-events",
     "html", {"kind": "pause"}, "case:303"),
    ("page.tip.deadline", "POST", "/staff/tips/{ctip}/deadline-events",
     "html", {"kind": "pause"}, "case:303"),
    ("page.tip.notice", "POST", "/staff/tips/{ctip}/notice", "html", {},
     "case:409"),
    ("api.merge", "POST", "/api/v1/staff/tips/{tip}/merge", "json",
     {"into": "{ctip}", "new_facts": False}, "case:400"),
    ("page.merge", "POST", "/staff/tips/{tip}/merge", "html",
     {"into": "{ctip}", "new_facts": "0"}, "case:400"),
    # Editing the reference data (extension), admins only.  The POSTs are
    # refused by an admin too (a JSON body, an empty file): nothing changes.
    ("api.refdata", "GET", "/api/v1/staff/refdata/places.csv", "json", None,
     "refdata:200"),
    ("api.refdata.import", "POST", "/api/v1/staff/refdata/places.csv",
     "json", {}, "refdata:400"),
    ("page.refdata", "GET", "/staff/refdata", "html", None, "refdata:200"),
    ("page.refdata.post", "POST", "/staff/refdata", "html",
     {"table": "places", "csv": ""}, "refdata:400"),
    # Issue 7: the campaign summary table, of the target's bureau
    # ("{bureau}" in the path too): an officer gets only their own.
    ("api.report", "GET", "/api/v1/staff/reports/summary?campaign="
     "jc-2022-testing&bureau={bureau}", "json", None, "report"),
    ("page.report", "GET", "/staff/reports?campaign=jc-2022-testing&"
     "bureau={bureau}", "html", None, "report"),
]


class World:
    """The module's server, accounts, tips and sessions."""


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    w = World()
    w.bureau = {"admin": None, "triage": "140500",
                "officer": OWN_BUREAU, "auditor": None}
    users = [(name, role, w.bureau[role]) for role in ROLES
             for name in ("m_" + role, "m_" + role + "_off")]
    with staff_server(tmp_path_factory.mktemp("authz"), users) as \
            (srv, sessions):
        w.server = srv
        w.password = admin_password(srv)
        w.tips = {"own": submit_tip(srv, OWN_BUREAU),
                  "other": submit_tip(srv, OTHER_BUREAU)}
        w.aids = {k: attachment_id(srv, v) for k, v in w.tips.items()}
        w.sessions = {role: sessions["m_" + role] for role in ROLES}
        make_cases(w)
        # Sessions that die: aged past the idle limit, or whose account
        # is disabled after the login (taking effect on the next request).
        w.expired = {}
        w.disabled = {}
        for role in ROLES:
            s = login(srv, "m_" + role, w.password)
            age_session(srv, s.token, idle=31 * 60)
            w.expired[role] = s
            w.disabled[role] = sessions["m_" + role + "_off"]
            db_exec(srv, "UPDATE users SET disabled = 1 WHERE login = ?",
                    ("m_" + role + "_off",))
        yield w


def make_cases(w):
    """Issue 7: one case per bureau, each with a linked tip, and a tip of
    each bureau in no case."""
    srv = w.server
    db_exec(srv, "INSERT INTO institutions (name, name_norm, created_at, "
            "updated_at) VALUES ('华泰检测', '华泰检测', 1, 1)")
    w.inst = db_one(srv, "SELECT max(id) FROM institutions")
    admin = w.sessions["admin"]
    w.ctips, w.xtips, w.cases = {}, {}, {}
    for state, bureau in (("own", OWN_BUREAU), ("other", OTHER_BUREAU)):
        w.ctips[state] = submit_tip(srv, bureau, with_png=False)
        w.xtips[state] = submit_tip(srv, bureau, with_png=False)
        r = admin.post_json("/api/v1/staff/cases", {
            "from_tip": w.ctips[state], "institution": w.inst})
        assert r.status == 201, r
        w.cases[state] = json.loads(r.body)["id"]


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
    if what == "entry":
        # Entering a tip (any bureau may be named: routing decides).
        if role not in TIP_ROLES:
            return 403, None
        return (201, None) if method == "POST" else (200, None)
    if what == "export":
        return (200, None) if role in TIP_ROLES else (403, None)
    if what == "triage":
        # Like a tip, but a change answers 200 (JSON) or 303 (a form).
        if role not in TIP_ROLES:
            return 403, None
        if role == "officer" and state == "other":
            return 404, None
        return (200, None) if kind == "json" else (303, None)
    if what in ("caselist", "overdue"):
        return (200, None) if role in TIP_ROLES else (403, None)
    if what.startswith("create:"):
        return (int(what[7:]), None) if role in TIP_ROLES else (403, None)
    if what.startswith("case:"):
        if role not in TIP_ROLES:
            return 403, None
        if role == "officer" and state == "other":
            return 404, None
        return int(what[5:]), None
    if what.startswith("refdata:"):
        return (int(what[8:]), None) if role == "admin" else (403, None)
    if what == "report":
        if role not in TIP_ROLES:
            return 403, None
        if role == "officer" and state == "other":
            return 404, None
        return 200, None
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
    for key, objs in (("{case}", w.cases), ("{ctip}", w.ctips),
                      ("{xtip}", w.xtips)):
        path = path.replace(key, objs[target])
    path = path.replace("{bureau}", OWN_BUREAU if target == "own" else
                        OTHER_BUREAU)
    if body is not None:
        body = {k: w.inst if v == "{inst}" else
                w.ctips[target] if v == "{ctip}" else v
                for k, v in body.items()}
    if body is not None:
        tip_bureau = OWN_BUREAU if target == "own" else OTHER_BUREAU
        body = {k: tip_bureau if v == "{bureau}" else v
                for k, v in body.items()}
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
            route[0] not in ("api.attachment", "api.tips.export",
                             "api.refdata"):
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
    if r.status == 200 and route[0] == "api.tips.export":
        assert r.header("content-type").startswith("text/csv"), r
        own, other = (w.tips["own"].encode(), w.tips["other"].encode())
        assert own in r.body, "%s as %s lacks its own tip" % (route[0], role)
        assert (other in r.body) == (role != "officer"), \
            "%s as %s: another bureau's tip wrongly %s" % (
                route[0], role, "shown" if role == "officer" else "missing")
    if r.status == 200 and route[5] == "caselist":
        own, other = (w.cases["own"].encode(), w.cases["other"].encode())
        assert own in r.body, "%s as %s lacks its case" % (route[0], role)
        assert (other in r.body) == (role != "officer"), \
            "%s as %s: another bureau's case" % (route[0], role)
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
