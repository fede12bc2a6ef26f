# SPDX-License-Identifier: MIT
"""Editing the reference data (extension, README "Editing the reference
data"): `tipline refdata export|import TABLE`, GET and POST
/api/v1/staff/refdata/TABLE.csv and the page /staff/refdata, admins only.

An export is the data/ file byte for byte; an import checks every line
first and changes nothing if one is bad (each named with its number), a
bureau still in use is never removed, every import is audited as
"refdata.import", and a running server routes the next tip with the new
data without a restart.  One server serves the module; each test that
changes a table puts the data/ file back at its end."""

import json
import os
import re

import pytest

from harness import db_query
from staff_helpers import cli, staff_server

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TABLES = ("places", "domain-keywords", "violations", "bureaus")
# A town of 高平市 that data/places.csv does not have, named by its short
# form only in the tip.
NEW_TOWN = "140581110,140581,镇,龙渠镇,龙渠,current\n"
NEW_TOWN_TIP = "龙渠那家检测站没做检测就出了合格报告"


def data_file(table):
    with open(os.path.join(REPO, "data", table + ".csv"), "rb") as f:
        return f.read()


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    users = [("rd_admin", "admin", None), ("rd_triage", "triage", "140500"),
             ("rd_officer", "officer", "140581"),
             ("rd_auditor", "auditor", None)]
    with staff_server(tmp_path_factory.mktemp("refdata"), users) as \
            (srv, sessions):
        srv.sessions = sessions
        srv.tmp = tmp_path_factory.mktemp("refdata-files")
        yield srv


def write(srv, name, data):
    path = srv.tmp / name
    path.write_bytes(data if isinstance(data, bytes) else
                     data.encode("utf-8"))
    return path


def restore(srv, table):
    """Put data/TABLE.csv back (and check it went back)."""
    p = cli(srv, "refdata", "import", table,
            write(srv, "restore.csv", data_file(table)))
    assert p.returncode == 0, p.stderr
    assert export(srv, table) == data_file(table)


def export(srv, table):
    out = srv.tmp / ("export-%s.csv" % table)
    p = cli(srv, "refdata", "export", table, "-o", out)
    assert p.returncode == 0, p.stderr
    return out.read_bytes()


def audit(srv, user=None):
    rows = db_query(srv.data_dir, "SELECT user, object, reason FROM audit "
                    "WHERE action = 'refdata.import' ORDER BY id")
    return [r for r in rows if user is None or r[0] == user]


def post_tip(srv, details):
    r = srv.request("POST", "/api/v1/tips",
                    body=json.dumps({"summary": "检测报告造假",
                                     "details": details}).encode("utf-8"),
                    headers={"Content-Type": "application/json"})
    assert r.status == 201, r
    return json.loads(r.body)["bureau"]


def put_csv(session, table, data, csrf=True, ctype="text/csv; charset=utf-8"):
    return session.server.request(
        "POST", "/api/v1/staff/refdata/%s.csv" % table,
        body=data if isinstance(data, bytes) else data.encode("utf-8"),
        headers=session.headers(csrf, {"Content-Type": ctype}))


# ---- the command -----------------------------------------------------------

@pytest.mark.parametrize("table", TABLES)
def test_cli_export_is_the_data_file(world, table):
    p = cli(world, "refdata", "export", table)
    assert p.returncode == 0, p.stderr
    assert p.stdout.encode("utf-8") == data_file(table)
    assert export(world, table) == data_file(table)


@pytest.mark.parametrize("table", TABLES)
def test_cli_round_trip(world, table):
    before = len(audit(world))
    path = write(world, table + ".csv", export(world, table))
    p = cli(world, "refdata", "import", table, path)
    assert p.returncode == 0, p.stderr
    assert table in p.stdout
    assert export(world, table) == data_file(table)
    rows = audit(world)
    assert len(rows) == before + 1
    assert rows[-1][0] == "cli" and rows[-1][1] == table, rows[-1]
    assert "source=%s.csv" % table in rows[-1][2], rows[-1]


def test_cli_bad_lines_change_nothing(world):
    before = len(audit(world))
    lines = data_file("places").decode("utf-8").splitlines(keepends=True)
    n = len(lines)
    bad = "".join(lines) + (
        "140581,140581,村,某村,,current\n"           # n+1: bad kind
        "140581120,140581,镇\n"                     # n+2: 3 fields
        + lines[5] +                                # n+3: line 6 again
        "140581121,140525,镇,错镇,错,current\n")     # n+4: not in county
    p = cli(world, "refdata", "import", "places", write(world, "bad.csv", bad))
    assert p.returncode == 1, p.stdout
    for line, what in ((n + 1, "field kind"), (n + 2, "3 fields"),
                       (n + 3, "same key as line 6"),
                       (n + 4, "field code")):
        assert re.search(r"bad\.csv: line %d: .*%s" % (line, what),
                         p.stderr), (line, p.stderr)
    assert "4 problems; nothing imported" in p.stderr
    assert export(world, "places") == data_file("places")
    assert len(audit(world)) == before


def test_cli_bad_header_and_csv(world):
    p = cli(world, "refdata", "import", "domain-keywords",
            write(world, "hdr.csv", "domain,word,weight\nfood,奶粉,2\n"))
    assert p.returncode == 1
    assert "line 1: the header must be \"domain,keyword,weight\"" in p.stderr
    p = cli(world, "refdata", "import", "domain-keywords",
            write(world, "quote.csv", "domain,keyword,weight\n"
                  "food,\"奶粉,2\n"))
    assert p.returncode == 1 and "line 2" in p.stderr, p.stderr
    p = cli(world, "refdata", "import", "domain-keywords",
            write(world, "fk.csv", "domain,keyword,weight\nnosuch,奶粉,2\n"))
    assert p.returncode == 1
    assert "line 2: field domain: unknown code" in p.stderr, p.stderr
    assert export(world, "domain-keywords") == data_file("domain-keywords")


def test_cli_bureau_in_use_is_kept(world):
    # rd_officer belongs to 140581; 140500 is the city triage queue.
    kept = b"".join(l for l in data_file("bureaus").splitlines(True)
                    if not l.startswith((b"140581,", b"140500,")))
    p = cli(world, "refdata", "import", "bureaus",
            write(world, "b.csv", kept))
    assert p.returncode == 1
    assert re.search(r"bureau 140581 is left out, but it is still used by "
                     r"1 staff account", p.stderr), p.stderr
    assert "bureau 140500 is left out, but it is the city triage queue" \
        in p.stderr
    assert export(world, "bureaus") == data_file("bureaus")


def test_cli_bureau_names_and_email(world):
    text = data_file("bureaus").decode("utf-8").splitlines()
    out = [text[0] + ",email"]
    for line in text[1:]:
        email = "gaoping@localhost" if line.startswith("140581,") else ""
        out.append(line.replace("高平市市场监督管理局",
                                "高平市市场监督管理局（新）") + "," + email)
    edited = "\n".join(out) + "\n"
    p = cli(world, "refdata", "import", "bureaus",
            write(world, "be.csv", edited))
    assert p.returncode == 0, p.stderr
    assert export(world, "bureaus").decode("utf-8") == edited
    assert db_query(world.data_dir, "SELECT name_zh, email FROM bureaus "
                    "WHERE code = '140581'")[0] == \
        ("高平市市场监督管理局（新）", "gaoping@localhost")
    bad = edited.replace("gaoping@localhost", "not an address")
    p = cli(world, "refdata", "import", "bureaus", write(world, "bb.csv", bad))
    assert p.returncode == 1 and "field email" in p.stderr, p.stderr
    # Back to the file: the e-mail column given empty clears it.
    p = cli(world, "refdata", "import", "bureaus", write(
        world, "clear.csv", "\n".join([text[0] + ",email"] +
                                      [l + "," for l in text[1:]]) + "\n"))
    assert p.returncode == 0, p.stderr
    assert export(world, "bureaus") == data_file("bureaus")


def test_cli_usage(world):
    assert cli(world, "refdata", "export", "towns").returncode == 64
    assert cli(world, "refdata", "import", "places").returncode == 64
    assert cli(world, "refdata", "export").returncode == 64
    p = cli(world, "refdata", "import", "places", world.tmp / "missing.csv")
    assert p.returncode == 1 and "missing.csv" in p.stderr


# ---- HTTP ------------------------------------------------------------------

@pytest.mark.parametrize("table", TABLES)
def test_http_download(world, table):
    r = world.sessions["rd_admin"].get("/api/v1/staff/refdata/%s.csv" % table)
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/csv"), r
    assert "attachment" in r.header("content-disposition")
    assert r.body == data_file(table)


def test_http_upload(world):
    admin = world.sessions["rd_admin"]
    original = data_file("domain-keywords").decode("utf-8")
    edited = original + "food,过期奶粉,3\n"
    r = put_csv(admin, "domain-keywords", edited)
    assert r.status == 200, r
    body = json.loads(r.body)
    assert body == {"table": "domain-keywords",
                    "rows": original.count("\n"),
                    "before": original.count("\n") - 1}, body
    assert admin.get("/api/v1/staff/refdata/domain-keywords.csv").body == \
        edited.encode("utf-8")
    row = audit(world, "rd_admin")[-1]
    assert row[1] == "domain-keywords" and "source=http" in row[2], row
    restore(world, "domain-keywords")


def test_http_upload_bad_line(world):
    admin = world.sessions["rd_admin"]
    before = len(audit(world))
    text = data_file("domain-keywords").decode("utf-8")
    n = text.count("\n")
    r = put_csv(admin, "domain-keywords", text + "food,奶粉罐,many\n"
                "food,奶粉桶\n")
    assert r.status == 400, r
    err = json.loads(r.body)["error"]
    assert err["code"] == "invalid" and err["field"] == "weight", err
    assert err["line"] == n + 1 and "line %d" % (n + 1) in err["message"]
    assert [p["line"] for p in err["problems"]] == [n + 1, n + 2], err
    assert export(world, "domain-keywords") == data_file("domain-keywords")
    assert len(audit(world)) == before
    world.assert_alive()


def test_http_upload_refusals(world):
    admin = world.sessions["rd_admin"]
    data = data_file("places")
    r = put_csv(admin, "places", data, csrf=False)
    assert r.status == 403, r
    r = put_csv(admin, "places", data, ctype="application/json")
    assert r.status == 400, r
    assert json.loads(r.body)["error"]["code"] == "unsupported_media_type"
    r = put_csv(admin, "towns", data)
    assert r.status == 404, r
    r = admin.get("/api/v1/staff/refdata/places.txt")
    assert r.status == 404, r
    r = admin.get("/api/v1/staff/refdata/deadline-rules.csv")
    assert r.status == 404, r
    assert export(world, "places") == data_file("places")


@pytest.mark.parametrize("login", ["rd_triage", "rd_officer", "rd_auditor"])
def test_http_not_admin(world, login):
    s = world.sessions[login]
    assert s.get("/api/v1/staff/refdata/places.csv").status == 403
    assert put_csv(s, "places", data_file("places")).status == 403
    assert s.get("/staff/refdata").status == 403
    r = s.post_form("/staff/refdata", {"table": "places",
                                       "csv": data_file("places")})
    assert r.status == 403, r
    assert b"/staff/refdata" not in s.get("/staff/password").body
    assert audit(world, login) == []


def test_http_logged_out(world):
    r = world.request("GET", "/api/v1/staff/refdata/places.csv")
    assert r.status == 401, r
    r = world.request("GET", "/staff/refdata")
    assert r.status == 303 and r.header("location") == "/staff/login", r


def test_page(world):
    admin = world.sessions["rd_admin"]
    r = admin.get("/staff/refdata")
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/html")
    for table in TABLES:
        assert ('href="/api/v1/staff/refdata/%s.csv"' % table).encode() \
            in r.body
        assert ('id="import-%s"' % table).encode() in r.body
    rows = data_file("places").count(b"\n") - 1
    assert ('<td class="rows">%d</td>' % rows).encode() in r.body
    assert b'href="/staff/refdata"' in r.body      # the admin's navigation

    # A bad file: 400, the problem named, the text kept in its form.
    bad = data_file("places").decode("utf-8") + "x,y\n"
    r = admin.post_form("/staff/refdata", {"table": "places", "csv": bad})
    assert r.status == 400, r
    assert b'id="problems"' in r.body and b"2 fields, expected 6" in r.body
    assert "x,y".encode() in r.body
    assert export(world, "places") == data_file("places")

    # A good one: 303 back to the page, which says so.
    good = data_file("places").decode("utf-8").replace("\n", "\r\n")
    r = admin.post_form("/staff/refdata", {"table": "places", "csv": good})
    assert r.status == 303, r
    assert r.header("location") == "/staff/refdata?imported=places"
    r = admin.get("/staff/refdata?imported=places")
    assert b'id="imported"' in r.body
    # CRLF line ends read the same: the export is the file again.
    assert export(world, "places") == data_file("places")
    assert audit(world, "rd_admin")[-1][1] == "places"

    # Without the form's CSRF token: 403, nothing imported.
    n = len(audit(world))
    r = admin.post_form("/staff/refdata", {"table": "places", "csv": good},
                        csrf=False)
    assert r.status == 403, r
    assert len(audit(world)) == n


# ---- the running server routes with the new data ---------------------------

def test_live_reload_by_cli(world):
    assert post_tip(world, NEW_TOWN_TIP) == "140500"    # unknown: manual
    edited = data_file("places") + NEW_TOWN.encode("utf-8")
    p = cli(world, "refdata", "import", "places", write(world, "p.csv",
                                                         edited))
    assert p.returncode == 0, p.stderr
    assert post_tip(world, NEW_TOWN_TIP) == "140581"
    restore(world, "places")
    assert post_tip(world, NEW_TOWN_TIP) == "140500"


def test_live_reload_by_http(world):
    admin = world.sessions["rd_admin"]
    edited = data_file("places") + NEW_TOWN.encode("utf-8")
    r = put_csv(admin, "places", edited)
    assert r.status == 200, r
    # Several tips: whichever worker takes each, it has reloaded.
    for _ in range(4):
        assert post_tip(world, NEW_TOWN_TIP) == "140581"
    restore(world, "places")
    for _ in range(4):
        assert post_tip(world, NEW_TOWN_TIP) == "140500"
