# SPDX-License-Identifier: MIT
"""Helpers of the staff tests (test_staff_*.py): the admin's one-time
password from `serve`'s first start, accounts made straight in the
database (fast: no Argon2id per account), logins, tips to look at, and
direct SQLite access to age sessions or tamper with rows.

Accounts made with add_user() get the admin's password hash, so every one
of them logs in with the admin's one-time password; must_change is off.
Use the command line (`tipline user add`) where the command itself is
under test."""

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time

from harness import (encode_multipart, make_png, run_tipline,
                     serving)

PASSWORD_RE = re.compile(r"^password: (\S+)$", re.MULTILINE)
CSRF_FIELD_RE = re.compile(rb'name="csrf" value="([0-9a-f]{64})"')
COOKIE = "tipline_session"

OWN_BUREAU = "140581"       # 高平市: the officers' bureau
OTHER_BUREAU = "140525"     # 泽州县


def db_path(server):
    return os.path.join(server.data_dir, "tipline.db")


def db_connect(server):
    """A read-write connection to the running server's database (WAL:
    safe beside it)."""
    conn = sqlite3.connect(db_path(server), timeout=10)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def db_one(server, sql, args=()):
    conn = db_connect(server)
    try:
        row = conn.execute(sql, args).fetchone()
        return row[0] if row is not None else None
    finally:
        conn.close()


def db_exec(server, sql, args=()):
    conn = db_connect(server)
    try:
        conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


def admin_password(server):
    """The one-time password `serve` printed when it initialised the
    data dir (stdout goes to WORKDIR/serve.stdout)."""
    deadline = time.monotonic() + 10
    path = os.path.join(server.workdir, "serve.stdout")
    while time.monotonic() < deadline:
        with open(path, encoding="utf-8", errors="replace") as f:
            m = PASSWORD_RE.search(f.read())
        if m:
            return m.group(1)
        time.sleep(0.05)   # polling against the deadline above
    raise AssertionError("no password line in %s" % path)


def add_user(server, login, role, bureau=None, must_change=False):
    """An account straight in the database, with the admin's password
    (hash copied), so that it logs in with admin_password()."""
    conn = db_connect(server)
    try:
        pw_hash = conn.execute("SELECT pw_hash FROM users WHERE login = "
                               "'admin'").fetchone()[0]
        now = int(time.time())
        conn.execute("INSERT INTO users (login, role, bureau, pw_hash, "
                     "must_change, disabled, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                     (login, role, bureau, pw_hash, 1 if must_change else 0,
                      now, now))
        conn.commit()
    finally:
        conn.close()


def token_hash(token):
    """The stored form of a session token: BLAKE2b-256 of its text."""
    return hashlib.blake2b(token.encode("ascii"), digest_size=32).digest()


def age_session(server, token, idle=0, absolute=0):
    """Move a session's last_seen back by idle seconds and its created_at
    back by absolute seconds."""
    db_exec(server, "UPDATE sessions SET last_seen = last_seen - ?, "
            "created_at = created_at - ? WHERE token_hash = ?",
            (idle, absolute, token_hash(token)))


def cookie_of(resp):
    """The session token a response set, or None."""
    for value in resp.headers.get("set-cookie", []):
        name, _, rest = value.partition("=")
        if name.strip() == COOKIE:
            token = rest.split(";")[0]
            return token or None
    return None


def login_page_post(server, fields, with_token=True):
    """POST /staff/login the way a browser does: GET the page first, send
    back its login cookie and the form's hidden login_csrf token (login
    CSRF, double submit).  with_token=False sends neither."""
    from urllib.parse import urlencode
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    body = dict(fields)
    if with_token:
        page = server.request("GET", "/staff/login")
        m = re.search(rb'name="login_csrf" value="([0-9a-f]+)"', page.body)
        assert m, page
        body["login_csrf"] = m.group(1).decode()
        for value in page.headers.get("set-cookie", []):
            name, _, rest = value.partition("=")
            if name.strip() == "tl_login":
                headers["Cookie"] = "tl_login=" + rest.split(";")[0]
    return server.request("POST", "/staff/login", body=urlencode(body),
                          headers=headers)


class Session:
    """A logged-in staff member: cookie and CSRF token."""

    def __init__(self, server, login, token, csrf, body):
        self.server = server
        self.login = login
        self.token = token
        self.csrf = csrf
        self.body = body

    def headers(self, csrf=True, extra=None):
        h = {"Cookie": "%s=%s" % (COOKIE, self.token)}
        if csrf:
            h["X-CSRF-Token"] = self.csrf
        h.update(extra or {})
        return h

    def get(self, path):
        return self.server.request("GET", path, headers=self.headers(False))

    def post_json(self, path, obj, csrf=True):
        h = self.headers(csrf, {"Content-Type": "application/json"})
        return self.server.request("POST", path, body=json.dumps(obj),
                                   headers=h)

    def post_form(self, path, fields, csrf=True):
        from urllib.parse import urlencode
        fields = dict(fields)
        if csrf:
            fields.setdefault("csrf", self.csrf)
        h = {"Cookie": "%s=%s" % (COOKIE, self.token),
             "Content-Type": "application/x-www-form-urlencoded"}
        return self.server.request("POST", path, body=urlencode(fields),
                                   headers=h)


def login_response(server, login, password, cookie=None):
    h = {"Content-Type": "application/json"}
    if cookie:
        h["Cookie"] = "%s=%s" % (COOKIE, cookie)
    return server.request("POST", "/api/v1/session",
                          body=json.dumps({"login": login,
                                           "password": password}),
                          headers=h)


def login(server, login_name, password):
    r = login_response(server, login_name, password)
    assert r.status == 200, "login %s: %r" % (login_name, r)
    body = json.loads(r.body)
    token = cookie_of(r)
    assert token, "no session cookie: %r" % r
    return Session(server, login_name, token, body["csrf_token"], body)


def submit_tip(server, county, summary="检测机构出具虚假报告",
               with_png=True):
    """A tip through the public form, routed to county's bureau; returns
    its id."""
    fields = [("summary", summary),
              ("details", "该机构未实际检测即出具合格报告。"
                          "No test was done before the report."),
              ("county", county),
              ("contact_name", "张三")]
    files = []
    if with_png:
        files = [("attachments", "检测报告.png", "image/png", make_png())]
    ctype, body = encode_multipart(fields, files)
    r = server.request("POST", "/api/v1/tips", body=body,
                       headers={"Content-Type": ctype})
    assert r.status == 201, "POST /api/v1/tips: %r" % r
    tip = json.loads(r.body)
    assert tip["bureau"] == county, tip
    return tip["id"]


def attachment_id(server, tip_id):
    return db_one(server, "SELECT a.id FROM attachments a JOIN tips t ON "
                  "t.id = a.tip_id WHERE t.public_id = ? ORDER BY a.id",
                  (tip_id,))


def audit_rows(server, action=None):
    conn = db_connect(server)
    try:
        if action is None:
            return conn.execute("SELECT id, user, action, object, reason "
                                "FROM audit ORDER BY id").fetchall()
        return conn.execute("SELECT id, user, action, object, reason FROM "
                            "audit WHERE action = ? ORDER BY id",
                            (action,)).fetchall()
    finally:
        conn.close()


def cli(server, *args, input=None):
    """`tipline ARGS --data DATA` beside the running server."""
    return run_tipline(*args, "--data", server.data_dir, input=input)


def import_institutions(server, text, workdir):
    """The institution registry CSV text, imported with `tipline
    institutions import` beside the running server (must succeed)."""
    path = workdir / "institutions.csv"
    path.write_text(text, encoding="utf-8")
    p = cli(server, "institutions", "import", str(path))
    assert p.returncode == 0, p.stderr


def mail_tip_for(server, raw, bureau=None):
    """An e-mail (raw bytes) through POST /api/v1/mail to the bureau's
    address (OWN_BUREAU unless given); must be stored (201).  Returns the
    new tip's id."""
    r = server.request("POST", "/api/v1/mail", body=raw, headers={
        "Content-Type": "message/rfc822",
        "X-Tipline-Recipient": "tips+%s@localhost" % (bureau or OWN_BUREAU)})
    assert r.status == 201, r
    return json.loads(r.body)["id"]


@contextlib.contextmanager
def staff_server(workdir, users=()):
    """A server for a module of staff tests: each of users, (login, role,
    bureau), made with add_user() and logged in; yields (server,
    {login: Session}).  At the end the server must stop cleanly
    (finish_server()), and is killed if it did not."""
    running = serving(workdir)
    srv = next(running)
    try:
        pw = admin_password(srv)
        for name, role, bureau in users:
            add_user(srv, name, role, bureau)
        yield srv, {name: login(srv, name, pw) for name, _, _ in users}
    finally:
        running.close()
