# SPDX-License-Identifier: MIT
"""The tipster's follow-up: the receipt form, a right code (status page,
tipster session cookie), messages both ways (a bureau message stored
through the storage layer by tests/helpers/staff_message.c), a reply with
a file through the same pipeline, wrong codes answered alike and
throttled, and the JSON API."""

import json
import re


from harness import assert_safe_headers, encode_multipart, run_tipline
from web_helpers import (CSRF_RE, cookie_of, counts, files_containing,
                         receipt_of, staff_message)

FIELDS = [("summary", "跟进测试"), ("details", "跟进测试的内容"),
          ("county", "140525")]


def new_tip(server, lang="zh"):
    ctype, body = encode_multipart(FIELDS)
    r = server.request("POST", "/tips?lang=%s" % lang, body=body,
                       headers={"Content-Type": ctype})
    assert r.status == 201, r
    return receipt_of(r.body)


def login(server, receipt, lang="en"):
    return server.request(
        "POST", "/follow-up?lang=%s" % lang,
        body=("receipt=%s" % receipt).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})


def api(server, path, doc):
    return server.request("POST", path, body=json.dumps(doc).encode(),
                          headers={"Content-Type": "application/json"})


def test_entry_form(server):
    r = server.request("GET", "/follow-up")
    assert r.status == 200, r
    assert_safe_headers(r, "GET /follow-up")
    assert b'name="receipt"' in r.body and b'method="post"' in r.body
    assert "set-cookie" not in r.headers
    assert b"<script" not in r.body


def test_right_code_reply_and_bureau_message(server):
    code = new_tip(server)
    # Grouped as on the receipt page, in a multipart body: both work.
    grouped = " ".join(code[i:i + 4] for i in range(0, 16, 4))
    ctype, body = encode_multipart([("receipt", grouped)])
    r = server.request("POST", "/follow-up?lang=en", body=body,
                       headers={"Content-Type": ctype})
    assert r.status == 200, r.body[:2000]
    assert code.encode() not in r.body
    cookie, header = cookie_of(r)
    assert cookie, r.headers
    for attr in ("HttpOnly", "SameSite=Strict", "Path=/follow-up",
                 "Max-Age=900"):
        assert attr in header, header
    assert "Secure" not in header
    assert b"Zezhou County Administration for Market Regulation" in r.body
    assert b'id="status">Received' in r.body
    assert b"No messages yet." in r.body
    csrf = CSRF_RE.search(r.body).group(1).decode()

    # A message from the bureau (stored as the staff pages will).
    staff_message(server, code, "请补充检测报告的照片。BUREAU-MARKER")
    r = server.request("GET", "/follow-up?lang=en",
                       headers={"Cookie": cookie})
    assert r.status == 200, r
    assert "请补充检测报告的照片。".encode() in r.body
    assert b'class="bureau"' in r.body and b"From the bureau" in r.body

    # The tipster answers with a file, through the intake pipeline.
    before = counts(server)
    ctype, body = encode_multipart(
        [("csrf", csrf), ("text", "照片已补充。REPLY-MARKER")],
        [("attachments", "补充照片.txt", "text/plain", b"FILE-MARKER-77\n")])
    r = server.request("POST", "/follow-up/reply?lang=en", body=body,
                       headers={"Content-Type": ctype, "Cookie": cookie})
    assert r.status == 303, r
    assert r.header("location") == "/follow-up?lang=en&sent=1"
    after = counts(server)
    assert after[1] == before[1] + 1 and after[2] == before[2] + 1
    assert after[3] == before[3] + 1
    r = server.request("GET", r.header("location"),
                       headers={"Cookie": cookie})
    assert b'id="sent"' in r.body
    assert "照片已补充。".encode() in r.body
    assert "补充照片.txt".encode() in r.body

    # The JSON view has both messages, in order.
    r = api(server, "/api/v1/follow-up", {"receipt": code})
    assert r.status == 200, r
    doc = json.loads(r.body)
    assert doc["status"] == "received" and doc["bureau"] == "140525"
    assert [m["from"] for m in doc["messages"]] == ["bureau", "tipster"]
    assert doc["messages"][1]["text"] == "照片已补充。REPLY-MARKER"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        doc["updated_at"])

    v = run_tipline("verify", "--data", server.data_dir, "--config",
                    server.config_path)
    assert v.returncode == 0, v.stdout + v.stderr
    leaks = files_containing(server.data_dir, [
        b"BUREAU-MARKER", b"REPLY-MARKER", b"FILE-MARKER-77",
        code.encode(), b"127.0.0.1"])
    assert not leaks, leaks

    # Log out: the session is gone.
    ctype, body = encode_multipart([("csrf", csrf), ("logout", "1")])
    r = server.request("POST", "/follow-up/reply", body=body,
                       headers={"Content-Type": ctype, "Cookie": cookie})
    assert r.status == 303, r
    assert "Max-Age=0" in cookie_of(r)[1]
    r = server.request("GET", "/follow-up", headers={"Cookie": cookie})
    assert b'name="receipt"' in r.body and b'name="csrf"' not in r.body


def test_reply_needs_session_and_csrf(server):
    code = new_tip(server)
    r = login(server, code)
    cookie, _ = cookie_of(r)
    before = counts(server)
    ctype, body = encode_multipart([("csrf", "0" * 32), ("text", "x")])
    r = server.request("POST", "/follow-up/reply", body=body,
                       headers={"Content-Type": ctype, "Cookie": cookie})
    assert r.status == 403, r
    r = server.request("POST", "/follow-up/reply", body=body,
                       headers={"Content-Type": ctype})
    assert r.status == 403, r
    assert counts(server) == before
    server.assert_alive()


def test_reply_refused_keeps_text(server):
    code = new_tip(server)
    r = login(server, code)
    cookie, _ = cookie_of(r)
    csrf = CSRF_RE.search(r.body).group(1).decode()
    before = counts(server)
    ctype, body = encode_multipart(
        [("csrf", csrf), ("text", "我的回复 <b>")],
        [("attachments", "photo.jpg", "image/jpeg",
          b"<!DOCTYPE html><html><body>x</body></html>")])
    r = server.request("POST", "/follow-up/reply?lang=en", body=body,
                       headers={"Content-Type": ctype, "Cookie": cookie})
    assert r.status == 415, r
    assert b"photo.jpg" in r.body and b"text/html" in r.body
    assert "我的回复 &lt;b&gt;".encode() in r.body
    assert counts(server) == before


def test_cookie_secure(start_server):
    srv = start_server(config={"security": {"cookie_secure": "true"}})
    code = new_tip(srv)
    r = login(srv, code)
    assert r.status == 200
    assert "; Secure" in cookie_of(r)[1]


def test_wrong_codes_answered_alike(server):
    new_tip(server)
    unknown = login(server, "1234567812345678")
    malformed = login(server, "12ab")
    assert unknown.status == 404 and malformed.status == 404
    assert unknown.body == malformed.body
    assert "set-cookie" not in unknown.headers
    a = api(server, "/api/v1/follow-up", {"receipt": "1234567812345678"})
    b = api(server, "/api/v1/follow-up", {"receipt": "x"})
    c = api(server, "/api/v1/follow-up", {})
    assert a.status == b.status == c.status == 404
    assert a.body == b.body == c.body
    assert json.loads(a.body)["error"]["code"] == "not_found"


def test_fifty_wrong_codes_throttled(server):
    code = new_tip(server)
    statuses = []
    for i in range(50):
        r = login(server, "%016d" % (1000 + i))
        statuses.append(r.status)
        if r.status == 429:
            retry = int(r.header("retry-after"))
            assert 0 < retry <= 600, retry
    assert statuses[:10] == [404] * 10, statuses
    assert set(statuses[10:]) == {429}, statuses
    # While blocked, even the right code is not looked at: guesses must
    # not be told apart.
    r = login(server, code)
    assert r.status == 429 and r.header("retry-after")
    r = api(server, "/api/v1/follow-up", {"receipt": code})
    assert r.status == 429 and r.header("retry-after")
    assert json.loads(r.body)["error"]["code"] == "rate_limited"
    server.assert_alive()


def test_right_codes_do_not_count(server):
    code = new_tip(server)
    for _ in range(15):
        assert api(server, "/api/v1/follow-up",
                   {"receipt": code}).status == 200


def test_api_messages(server):
    code = new_tip(server)
    r = api(server, "/api/v1/follow-up/messages",
            {"receipt": code, "text": "API message"})
    assert r.status == 201, r
    doc = json.loads(r.body)
    assert re.fullmatch(r"T-\d{4}-\d{6}", doc["id"])
    r = api(server, "/api/v1/follow-up/messages",
            {"receipt": "0000000000000000", "text": "x"})
    assert r.status == 404, r
    r = api(server, "/api/v1/follow-up/messages",
            {"receipt": code, "text": ""})
    assert r.status == 400, r
    assert json.loads(r.body)["error"]["field"] == "text"
    r = api(server, "/api/v1/follow-up", {"receipt": code})
    msgs = json.loads(r.body)["messages"]
    assert [m["text"] for m in msgs] == ["API message"]
    assert msgs[0]["from"] == "tipster"
