# SPDX-License-Identifier: MIT
"""`tipline user add|passwd|disable|list` (contract.md, "Command line"),
run beside a live server: the one-time password printed once on a line
`password: …`, an officer needs a bureau, passwd reads exactly one line
of at least 12 characters, exit codes 0 / 1, and no password in any log."""

import json
import re

from staff_helpers import cli, login, login_response

PASSWORD_RE = re.compile(r"^password: (\S+)$", re.M)


def test_user_add_login_and_list(server):
    p = cli(server, "user", "add", "wang", "--role", "officer", "--bureau",
            "140581")
    assert p.returncode == 0, p.stderr
    m = PASSWORD_RE.search(p.stdout)
    assert m and len(PASSWORD_RE.findall(p.stdout)) == 1, p.stdout
    one_time = m.group(1)
    s = login(server, "wang", one_time)
    assert s.body["must_change_password"] is True
    assert s.body["role"] == "officer" and s.body["bureau"] == "140581"
    p = cli(server, "user", "list")
    assert p.returncode == 0, p.stderr
    rows = {line.split()[0]: line.split() for line in
            p.stdout.splitlines()[1:]}
    assert rows["wang"][1:] == ["officer", "140581", "must-change-password"]
    assert rows["admin"][1:3] == ["admin", "-"]
    assert one_time not in p.stdout
    # Nothing secret reached the server's log.
    assert one_time not in server.stderr_text()


def test_user_add_refusals(server):
    cases = [
        ("officer without a bureau", ("lee", "--role", "officer")),
        ("unknown role", ("lee", "--role", "boss")),
        ("no role", ("lee",)),
        ("unknown bureau", ("lee", "--role", "officer", "--bureau",
                            "999999")),
        ("bad login", ("Lee Smith", "--role", "triage")),
    ]
    for what, args in cases:
        p = cli(server, "user", "add", *args)
        assert p.returncode == 1, "%s: exit %d %s" % (what, p.returncode,
                                                      p.stderr)
        assert "password:" not in p.stdout, what
    p = cli(server, "user", "add", "dup", "--role", "auditor")
    assert p.returncode == 0
    p = cli(server, "user", "add", "dup", "--role", "auditor")
    assert p.returncode == 1 and "exists" in p.stderr, p.stderr


def test_user_passwd_reads_one_line(server):
    p = cli(server, "user", "add", "chen", "--role", "triage", "--bureau",
            "140500")
    assert p.returncode == 0
    old = PASSWORD_RE.search(p.stdout).group(1)
    s = login(server, "chen", old)
    p = cli(server, "user", "passwd", "chen", input="too short\n")
    assert p.returncode == 1 and "12" in p.stderr, p.stderr
    p = cli(server, "user", "passwd", "chen", input="")
    assert p.returncode == 1
    p = cli(server, "user", "passwd", "chen",
            input="陈的密码是这一行-line-one\nsecond line is ignored\n")
    assert p.returncode == 0, p.stderr
    # The reset ends the account's sessions; the new password works and
    # is not to be changed again.
    assert s.get("/api/v1/staff/tips").status == 401
    assert login_response(server, "chen", old).status == 401
    assert login_response(server, "chen",
                          "second line is ignored").status == 401
    r = login_response(server, "chen", "陈的密码是这一行-line-one")
    assert r.status == 200 and json.loads(r.body)[
        "must_change_password"] is False
    p = cli(server, "user", "passwd", "nobody", input="long enough pass\n")
    assert p.returncode == 1


def test_user_disable(server):
    p = cli(server, "user", "add", "liu", "--role", "auditor")
    pw = PASSWORD_RE.search(p.stdout).group(1)
    assert cli(server, "user", "disable", "liu").returncode == 0
    assert login_response(server, "liu", pw).status == 401
    p = cli(server, "user", "list")
    assert re.search(r"^liu\s+auditor\s+-\s+disabled$", p.stdout, re.M), \
        p.stdout
    assert cli(server, "user", "disable", "nobody").returncode == 1
    assert cli(server, "user").returncode == 1
    assert cli(server, "user", "frobnicate", "liu").returncode == 1
