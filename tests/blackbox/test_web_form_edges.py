# SPDX-License-Identifier: MIT
"""Edges of the public web form that test_web_intake.py leaves out (issue
3 audit): a submission over tip_max_mb, which the HTTP guard refuses from
its Content-Length before reading the body, comes back as the form in the
page's language with the limit named beside the file input (the API gets
its JSON error shape); every public page carries the phone viewport; a
script is refused like an executable (415, the file and its detected type
named)."""

import json
import re

import pytest

from harness import assert_safe_headers, encode_multipart
from web_helpers import NONCE_RE, counts, receipt_of

MiB = 1024 * 1024
CONFIG = {"limits": {"attachment_max_mb": "1", "tip_max_mb": "2",
                     "submissions_per_hour": "0"}}
FIELDS = [("summary", "整体过大的举报"), ("details", "附件合计超过上限。"),
          ("county", "140581")]


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    from harness import serving
    yield from serving(tmp_path_factory.mktemp("edges"), CONFIG)


def over_limit(server, path, body_len=3 * MiB, send_body=True):
    """A multipart POST declaring body_len bytes (over tip_max_mb); the
    body is sent too (as a browser does) unless send_body is false."""
    ctype, body = encode_multipart(FIELDS, [("attachments", "big.txt",
                                             "text/plain", b"x")])
    body = body + b"\0" * (body_len - len(body)) if send_body else b""
    head = ("POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n"
            % (path, ctype, body_len)).encode("latin-1")
    return server.raw(head + body, timeout=60)


@pytest.mark.parametrize("lang,send_body", [("en", True), ("zh", False)])
def test_whole_tip_over_limit_is_the_form_again(web, lang, send_body):
    before = counts(web)
    r = over_limit(web, "/tips?lang=%s" % lang, send_body=send_body)
    assert r is not None and r.status == 413, r
    assert_safe_headers(r, "413 to the form")
    assert r.header("content-type") == "text/html; charset=utf-8"
    assert "set-cookie" not in r.headers
    body = r.body.decode("utf-8")
    # The form, in its language, with a fresh nonce ...
    assert ('<html lang="%s">' % ("en" if lang == "en" else "zh-CN")) \
        in body
    assert NONCE_RE.search(r.body) and 'enctype="multipart/form-data"' \
        in body
    # ... and the problem beside the file input, naming both limits.
    assert re.search(r'class="field has-error" id="field-attachments"',
                     body), body[:3000]
    m = re.search(r'id="e-attachments"[^>]*>(.*?)</', body, re.S)
    assert m, body[:3000]
    if lang == "en":
        assert "more than 2.0 MiB" in m.group(1) and "1.0 MiB" in \
            m.group(1), m.group(1)
    else:
        assert "超过了 2.0 MiB" in m.group(1) and "1.0 MiB" in \
            m.group(1), m.group(1)
    assert counts(web) == before
    web.assert_alive()


def test_api_over_limit_keeps_the_error_shape(web):
    r = over_limit(web, "/api/v1/tips", send_body=False)
    assert r is not None and r.status == 413, r
    assert r.header("content-type") == "application/json"
    err = json.loads(r.body)["error"]
    assert err["code"] == "too_large"
    assert "2097152 bytes (2.0 MiB)" in err["message"], err
    web.assert_alive()


def test_other_paths_over_limit_stay_plain(web):
    """Only the public forms get a page: the staff login over its 64 KiB
    is refused in plain words naming the limit (the receipt form and a
    follow-up reply get pages of their own: test_follow_up_too_large.py)."""
    r = over_limit(web, "/staff/login?lang=en", send_body=False)
    assert r is not None and r.status == 413, r
    assert r.header("content-type") == "text/plain; charset=utf-8"
    assert b"at most 65536 bytes (0.1 MiB)" in r.body, r.body
    web.assert_alive()


def test_every_public_page_has_the_phone_viewport(web):
    """Phones and WeChat's built-in browser lay a page out at device width
    only with the viewport meta; every public page has it."""
    viewport = b'<meta name="viewport" content="width=device-width, ' \
        b'initial-scale=1">'
    ctype, body = encode_multipart(FIELDS)
    wechat = ("Mozilla/5.0 (Linux; Android 12; M2102J2SC) AppleWebKit/537.36 "
              "(KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4317 "
              "MMWEBSDK/20220903 Mobile Safari/537.36 MMWEBID/1 "
              "MicroMessenger/8.0.28.2240(0x28001C57) WeChat/arm64 Weixin "
              "NetType/WIFI Language/zh_CN ABI/arm64")
    receipt = web.request("POST", "/tips", body=body, headers={
        "Content-Type": ctype, "User-Agent": wechat})
    assert receipt.status == 201, receipt
    code = receipt_of(receipt.body)
    status = web.request("POST", "/follow-up", body=("receipt=%s" % code)
                         .encode(), headers={
                             "Content-Type":
                             "application/x-www-form-urlencoded",
                             "User-Agent": wechat})
    assert status.status == 200, status
    pages = {"form": web.request("GET", "/", headers={"User-Agent": wechat}),
             "receipt": receipt, "status": status,
             "follow-up": web.request("GET", "/follow-up"),
             "refused": web.request("POST", "/tips", body=body.replace(
                 "整体".encode(), b"\xff\xfe"), headers={
                     "Content-Type": ctype})}
    for name, r in pages.items():
        assert viewport in r.body, name
        assert b'href="/static/tipline.css"' in r.body, name


@pytest.mark.parametrize("name,data,detected", [
    ("notes.txt", b"#!/bin/sh\nrm -rf /tmp/x\necho done\n",
     "text/x-shellscript"),
    ("photo.png", b"#!/usr/bin/env python3\nimport os\nprint(os.name)\n",
     "text/x-script.python"),
])
def test_script_refused_naming_file_and_type(web, name, data, detected):
    before = counts(web)
    ctype, body = encode_multipart(FIELDS, [("attachments", name,
                                             "text/plain", data)])
    r = web.request("POST", "/api/v1/tips", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 415, r
    err = json.loads(r.body)["error"]
    assert err["field"] == "attachments"
    assert name in err["message"] and detected in err["message"], err
    r = web.request("POST", "/tips?lang=en", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 415, r
    assert name.encode() in r.body and detected.encode() in r.body
    assert counts(web) == before
    web.assert_alive()
