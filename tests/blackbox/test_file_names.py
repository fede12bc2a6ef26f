# SPDX-License-Identifier: MIT
"""File names of evidence (service/intake.c `intake_clean_name`): sent
through the public form (POST /tips) and the API (POST /api/v1/tips,
multipart), read back decrypted through the staff API and checked; the
staff page shows them escaped.

What is kept of a name: its last path component (after the last '/' or
'\\'), without control characters (C0, DEL, C1, U+2028, U+2029) and
without the Unicode bidirectional controls that can make "txt.exe" read
as "exe.txt" (U+202A..U+202E, U+2066..U+2069, U+200E, U+200F, U+061C), at
most 255 bytes cut on a character boundary; "", "." and ".." become
"attachment"."""

import json
import re
import urllib.parse

import pytest

from harness import encode_multipart
from staff_helpers import staff_server

TIP_ID_RE = re.compile(rb'id="tip-id">(T-\d{4}-\d{6})<')
NAME_MAX = 255          # INTAKE_FILE_NAME_MAX, bytes

LONG = "x" + "文" * 200 + ".txt"          # 605 bytes
HTML_NAME = "<img src=x onerror=alert(1)>&'报告.txt"

# (id, name as sent, how it is sent, name expected back).  "plain": the
# quoted filename= of a browser (raw UTF-8, backslashes as they are);
# "2231": filename*=UTF-8''... (RFC 2231 / RFC 5987), which can carry any
# byte, control characters included.
CASES = [
    ("chinese", "检测报告 第1页 📄.txt", "plain", "检测报告 第1页 📄.txt"),
    ("c0-raw", "a\tb\x01c\x1fd\x7fe.txt", "plain", "abcde.txt"),
    ("c0-2231", "line\r\nbreak\x1b[31m\u2028.txt", "2231",
     "linebreak[31m.txt"),
    # A NUL ends the name (it is C text from the parser on).
    ("nul-2231", "kept\x00.exe", "2231", "kept"),
    ("c1-2231", "next\u0085line\u009bx.txt", "2231", "nextlinex.txt"),
    ("dotdot-slash", "../../etc/passwd", "plain", "passwd"),
    ("absolute", "/etc/cron.d/evil.txt", "plain", "evil.txt"),
    ("windows", "C:\\Users\\张三\\Desktop\\举报.txt", "plain", "举报.txt"),
    ("dotdot-backslash", "..\\..\\boot.ini", "plain", "boot.ini"),
    ("dotdot-2231", "../../../tmp/x.txt", "2231", "x.txt"),
    ("rtl-override", "invoice\u202etxt.exe", "plain", "invoicetxt.exe"),
    ("bidi-isolates", "\u2067a\u2066b\u2069\u200e\u200f\u061cc\u202a"
     "\u202b\u202c\u202d.txt", "2231", "abc.txt"),
    ("only-dotdot", "..", "plain", "attachment"),
    ("only-dot", ".", "plain", "attachment"),
    ("trailing-dotdot", "evidence/..", "plain", "attachment"),
    ("only-controls", "\x01\x02\u202e", "2231", "attachment"),
    ("long", LONG, "plain", LONG.encode()[:253].decode()),
    ("long-ascii", "a" * 400 + ".txt", "plain", "a" * NAME_MAX),
    ("html", HTML_NAME, "plain", HTML_NAME),
]


def multipart(fields, files):
    """Like harness.encode_multipart, but each file is (filename, how,
    bytes): how "plain" puts the name raw in filename="...", "2231" in
    filename*=UTF-8''%XX."""
    boundary = "----tipline-names-7c3f0e"
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\""
                    "\r\n\r\n%s\r\n" % (boundary, name, value))
                   .encode("utf-8"))
    for filename, how, content in files:
        if how == "plain":
            param = "filename=\"%s\"" % filename
        else:
            param = "filename*=UTF-8''%s" % urllib.parse.quote(
                filename.encode("utf-8"), safe="")
        out.append(("--%s\r\nContent-Disposition: form-data; name=\""
                    "attachments\"; %s\r\nContent-Type: text/plain\r\n\r\n"
                    % (boundary, param)).encode("utf-8"))
        out.append(content + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode("ascii"))
    return "multipart/form-data; boundary=%s" % boundary, b"".join(out)


@pytest.fixture(scope="module")
def staff(tmp_path_factory):
    with staff_server(tmp_path_factory.mktemp("names"),
                      [("names", "admin", None)]) as (srv, sessions):
        yield srv, sessions["names"]


def submit(srv, door, files):
    ctype, body = multipart([("summary", "文件名测试"),
                             ("details", "文件名清理的测试"),
                             ("county", "140525")], files)
    if door == "form":
        r = srv.request("POST", "/tips?lang=en", body=body,
                        headers={"Content-Type": ctype})
        assert r.status == 201, r.body[:3000]
        return TIP_ID_RE.search(r.body).group(1).decode()
    r = srv.request("POST", "/api/v1/tips", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 201, r
    return json.loads(r.body)["id"]


@pytest.mark.parametrize("door", ["form", "api"])
@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_file_name_cleaned(staff, door, case):
    srv, session = staff
    _, sent, how, want = case
    content = ("evidence for %s via %s\n" % (case[0], door)).encode()
    tip = submit(srv, door, [(sent, how, content)])
    r = session.get("/api/v1/staff/tips/%s" % tip)
    assert r.status == 200, r
    atts = json.loads(r.body)["attachments"]
    assert [a["name"] for a in atts] == [want], (sent, atts)
    assert len(want.encode()) <= NAME_MAX
    assert atts[0]["size"] == len(content)

    # The download's Content-Disposition carries the cleaned name only.
    d = session.get(atts[0]["url"])
    assert d.status == 200 and d.body == content, d
    cd = d.header("content-disposition")
    assert "filename*=UTF-8''" + urllib.parse.quote(
        want.encode(), safe="!#$&+-.^_`|~") in cd, cd


def test_staff_page_shows_names_escaped(staff):
    srv, session = staff
    tip = submit(srv, "form", [(HTML_NAME, "plain", b"escaped\n"),
                               ("invoice\u202etxt.exe", "plain", b"rtl\n")])
    r = session.get("/staff/tips/%s" % tip)
    assert r.status == 200, r
    page = r.body.decode("utf-8")
    assert "<img" not in page, page
    m = re.search(r'<ul id="attachments">(.*?)</ul>', page, re.S)
    assert m, page
    names = re.findall(r'<a download href="[^"]*">([^<]*)</a>', m.group(1))
    assert sorted(names) == sorted([
        "&lt;img src=x onerror=alert(1)&gt;&amp;&#39;报告.txt",
        "invoicetxt.exe"]), names
    assert "\u202e" not in page


def test_tipster_page_shows_names_escaped(staff):
    """The tipster's status page lists the files sent, escaped too."""
    srv, _ = staff
    ctype, body = multipart([("summary", "文件名测试"),
                             ("details", "文件名清理的测试"),
                             ("county", "140525")],
                            [(HTML_NAME, "plain", b"tipster view\n")])
    r = srv.request("POST", "/tips?lang=en", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 201, r
    code = re.search(rb'id="receipt">([0-9 ]{19})<', r.body).group(1)
    r = srv.request("POST", "/follow-up?lang=en",
                    body=b"receipt=" + code.replace(b" ", b""),
                    headers={"Content-Type":
                             "application/x-www-form-urlencoded"})
    assert r.status == 200, r
    assert b"<img" not in r.body
    assert "&lt;img src=x onerror=alert(1)&gt;&amp;".encode() in r.body


def test_encode_multipart_names_still_work(staff):
    """The shared helper's plain names arrive unchanged (sanity)."""
    srv, session = staff
    ctype, body = encode_multipart(
        [("summary", "文件名测试"), ("details", "x"), ("county", "140525")],
        [("attachments", "照片 (1).txt", "text/plain", b"sanity\n")])
    r = srv.request("POST", "/api/v1/tips", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 201, r
    detail = json.loads(session.get("/api/v1/staff/tips/%s" %
                                    json.loads(r.body)["id"]).body)
    assert [a["name"] for a in detail["attachments"]] == ["照片 (1).txt"]
