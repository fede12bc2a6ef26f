# SPDX-License-Identifier: MIT
"""A follow-up reply over tip_max_mb (POST /follow-up/reply): the HTTP
guard refuses it from its Content-Length before reading the body, so its
session cookie is never looked at; the answer is a page in the language of
the form's ?lang= (handlers/http_follow_up.c http_follow_up_too_large)
naming both limits, with a link back to /follow-up, where the tipster's
session, still valid, shows the status page again.  Nothing is stored."""

import json
import re

import pytest

from harness import assert_safe_headers, encode_multipart
from test_follow_up import login, new_tip
from test_web_form_edges import MiB, web  # noqa: F401 (the fixture)
from web_helpers import CSRF_RE, cookie_of, counts


def session(web, lang):
    """A new tip and a tipster session on it: (cookie, csrf)."""
    r = login(web, new_tip(web), lang)
    assert r.status == 200, r
    cookie, _ = cookie_of(r)
    return cookie, CSRF_RE.search(r.body).group(1).decode()


def over_limit(web, path, cookie, csrf, send_body):
    """A reply with a file, declaring 3 MiB (over tip_max_mb = 2); the
    body is sent too (as a browser does) unless send_body is false."""
    body_len = 3 * MiB
    ctype, body = encode_multipart([("csrf", csrf), ("text", "太大了")],
                                   [("attachments", "big.txt",
                                     "text/plain", b"x")])
    body = body + b"\0" * (body_len - len(body)) if send_body else b""
    head = ("POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\nCookie: %s\r\nConnection: close\r\n\r\n"
            % (path, ctype, body_len, cookie)).encode("latin-1")
    return web.raw(head + body, timeout=60)


@pytest.mark.parametrize("lang,send_body", [("en", True), ("zh", False)])
def test_reply_over_limit_is_a_page_with_a_way_back(web, lang, send_body):
    cookie, csrf = session(web, lang)
    before = counts(web)
    r = over_limit(web, "/follow-up/reply?lang=%s" % lang, cookie, csrf,
                   send_body)
    assert r is not None and r.status == 413, r
    assert_safe_headers(r, "413 to a follow-up reply")
    assert r.header("content-type") == "text/html; charset=utf-8"
    assert "set-cookie" not in r.headers    # the session is left alone
    body = r.body.decode("utf-8")
    assert ('<html lang="%s">' % ("en" if lang == "en" else "zh-CN")) \
        in body
    assert "<script" not in body
    m = re.search(r'id="problem"><p>(.*?)</p>', body, re.S)
    assert m, body[:3000]
    if lang == "en":
        assert "<h1>Your message was not sent</h1>" in body, body[:3000]
        assert "more than 2.0 MiB" in m.group(1) and "each at most 1.0 " \
            "MiB" in m.group(1) and "Go back" in m.group(1), m.group(1)
    else:
        assert "<h1>您的消息未发送</h1>" in body, body[:3000]
        assert "超过了 2.0 MiB" in m.group(1) and "不超过 1.0 MiB" in \
            m.group(1), m.group(1)
    back = re.search(r'<a id="back" href="([^"]+)">([^<]+)</a>', body)
    assert back and back.group(1) == "/follow-up?lang=%s" % lang, body
    assert counts(web) == before

    # The way back: the session still holds, the status page is there, and
    # a smaller reply goes through.
    r = web.request("GET", back.group(1), headers={"Cookie": cookie})
    assert r.status == 200 and b'id="status"' in r.body, r
    ctype, small = encode_multipart([("csrf", csrf), ("text", "小一点")])
    r = web.request("POST", "/follow-up/reply?lang=%s" % lang, body=small,
                    headers={"Content-Type": ctype, "Cookie": cookie})
    assert r.status == 303, r
    assert counts(web)[1] == before[1] + 1
    web.assert_alive()


def test_reply_over_limit_without_a_session(web):
    """The page does not depend on the session (it is never read): the
    same answer with no cookie at all, in Chinese by default."""
    r = over_limit(web, "/follow-up/reply", "x=y", "0" * 32, False)
    assert r is not None and r.status == 413, r
    assert '<html lang="zh-CN">' in r.body.decode("utf-8")
    assert b'<a id="back" href="/follow-up?lang=zh">' in r.body


def test_api_message_over_limit_keeps_the_error_shape(web):
    cookie, csrf = session(web, "en")
    r = over_limit(web, "/api/v1/follow-up/messages", cookie, csrf, False)
    assert r is not None and r.status == 413, r
    assert r.header("content-type") == "application/json"
    err = json.loads(r.body)["error"]
    assert err["code"] == "too_large"
    assert "2097152 bytes (2.0 MiB)" in err["message"], err


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_receipt_form_over_its_limit_is_the_form_again(web, lang):
    """POST /follow-up carries a receipt code: a body over 64 KiB is
    refused unread (413) with the receipt form again, in the ?lang= of
    the form, saying why; 64 KiB itself is read (a wrong code: 404)."""
    before = counts(web)
    head = ("POST /follow-up?lang=%s HTTP/1.1\r\nHost: t\r\nContent-Type: "
            "application/x-www-form-urlencoded\r\nContent-Length: %d\r\n"
            "Connection: close\r\n\r\n" % (lang, 64 * 1024 + 1))
    r = web.raw(head.encode("latin-1"), timeout=60)
    assert r is not None and r.status == 413, r
    assert_safe_headers(r, "413 to the receipt form")
    assert r.header("content-type") == "text/html; charset=utf-8"
    body = r.body.decode("utf-8")
    assert ('<html lang="%s">' % ("en" if lang == "en" else "zh-CN")) \
        in body
    problem = re.search(r'id="problem"><p>(.*?)</p>', body, re.S)
    assert problem, body[:3000]
    assert ("receipt code again" if lang == "en" else "重新输入 16 位查询码") \
        in problem.group(1), problem.group(1)
    assert 'id="f-receipt"' in body and \
        'action="/follow-up?lang=%s"' % lang in body, body[:3000]
    assert counts(web) == before

    at_limit = b"receipt=" + b"1" * (64 * 1024 - len(b"receipt="))
    r = web.request("POST", "/follow-up?lang=%s" % lang, body=at_limit,
                    headers={"Content-Type":
                             "application/x-www-form-urlencoded"})
    assert r.status != 413, r
    web.assert_alive()
