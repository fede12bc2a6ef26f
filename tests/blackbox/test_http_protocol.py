# SPDX-License-Identifier: MIT
"""Hostile and malformed HTTP (contract.md, "Public HTTP"): methods, size
limits, request smuggling shapes, control bytes.  Each test checks the reply
(status, an explicit Content-Type, nosniff, never libevent's ISO-8859-1
default) and then that the server still answers /healthz.

One server serves the whole module (config: tip_max_mb = 1,
attachment_max_mb = 1); it must still exit 0 on SIGTERM at the end."""

import http.client
import json

import pytest

from harness import (HOST, assert_safe_headers, encode_multipart, make_png,
                     slow_exchange)

MiB = 1024 * 1024


def request_bytes(method, target, headers=(), body=b"", version="HTTP/1.1"):
    head = "%s %s %s\r\nHost: 127.0.0.1\r\n" % (method, target, version)
    for name, value in headers:
        head += "%s: %s\r\n" % (name, value)
    return head.encode("latin-1") + b"\r\n" + body


def check(server, data, status, what):
    r = server.raw(data)
    assert r is not None, "%s: connection closed without a response" % what
    assert r.status == status, "%s: expected %d, got %r" % (what, status, r)
    assert_safe_headers(r, what)
    server.assert_alive()
    return r


# ---- ordinary clients that are not in a hurry

def test_keep_alive_requests_on_one_connection(shared_server):
    conn = http.client.HTTPConnection(HOST, shared_server.port, timeout=10)
    try:
        for i in range(3):
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            body = r.read()
            assert r.status == 200 and body.strip() == b"ok", \
                "request %d on a kept-alive connection: %d %r" % (
                    i + 1, r.status, body)
    finally:
        conn.close()
    shared_server.assert_alive()


def test_request_arriving_in_pieces(shared_server):
    pieces = [b"GET /hea", b"lthz HTTP/1.1\r\nHost: 127.0.0.1\r\n",
              b"Connection: close\r\n\r\n"]
    r = slow_exchange(shared_server.port, pieces)
    assert r is not None, "connection closed without a response"
    assert r.status == 200 and r.body.strip() == b"ok", r
    assert_safe_headers(r, "GET /healthz sent in pieces")
    shared_server.assert_alive()


# ---- methods

@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS", "PATCH",
                                    "TRACE", "FOO"])
@pytest.mark.parametrize("path", ["/healthz", "/tips", "/"])
def test_method_not_allowed(shared_server, method, path):
    headers = [("Content-Length", "0"), ("Connection", "close")]
    check(shared_server, request_bytes(method, path, headers), 405,
          "%s %s" % (method, path))


def test_put_through_http_client(shared_server):
    r = shared_server.request("PUT", "/healthz", body=b"hello")
    assert r.status == 405, r
    assert_safe_headers(r, "PUT /healthz")
    shared_server.assert_alive()


# ---- sizes

def test_uri_over_8k_is_414(shared_server):
    target = "/healthz?" + "a" * (9 * 1024)
    check(shared_server,
          request_bytes("GET", target, [("Connection", "close")]),
          414, "GET with a 9 KiB URI")


def test_uri_under_8k_is_not_414(shared_server):
    target = "/no-such-page?" + "a" * (4 * 1024)
    r = check(shared_server,
              request_bytes("GET", target, [("Connection", "close")]),
              404, "GET with a 4 KiB URI")
    assert r.status != 414


def test_headers_over_64k_are_431(shared_server):
    headers = [("X-Pad-%03d" % i, "p" * 1000) for i in range(80)]
    headers.append(("Connection", "close"))
    check(shared_server, request_bytes("GET", "/healthz", headers), 431,
          "GET with 80 KiB of headers")


def test_one_header_over_64k_is_431(shared_server):
    headers = [("X-Big", "b" * (70 * 1024)), ("Connection", "close")]
    check(shared_server, request_bytes("GET", "/healthz", headers), 431,
          "GET with one 70 KiB header")


def big_tip_body(size):
    """A well-formed multipart tip whose attachment makes it about size
    bytes long."""
    png = make_png(8, 8)
    filler = png + bytes((i * 7) & 255 for i in range(size - len(png)))
    return encode_multipart(
        [("summary", "某检测公司出具虚假报告"), ("details", "大文件测试")],
        [("attachments", "big.png", "image/png", filler)])


def test_body_over_limit_is_413(shared_server):
    path = "/tips"
    ctype, body = big_tip_body(2 * MiB)
    data = request_bytes("POST", path, [("Content-Type", ctype),
                                        ("Content-Length", str(len(body))),
                                        ("Connection", "close")], body)
    check(shared_server, data, 413, "POST %s with a 2 MiB body" % path)


def test_content_length_over_limit_is_413_before_body(shared_server):
    """A declared length over the limit is refused without waiting for the
    body (only the headers are sent)."""
    ctype, _ = big_tip_body(1024)
    data = request_bytes("POST", "/tips", [("Content-Type", ctype),
                                           ("Content-Length", str(3 * MiB)),
                                           ("Connection", "close")])
    r = check(shared_server, data, 413, "POST /tips declaring 3 MiB")
    # The refusal names the limit (tip_max_mb = 1 in the test config):
    # for the web form, on the form page (test_web_too_large.py) ...
    assert "超过了 1.0 MiB".encode() in r.body, r.body
    # ... elsewhere in bytes, and for the API in its error shape.
    data = request_bytes("POST", "/api/v1/tips",
                         [("Content-Type", ctype),
                          ("Content-Length", str(3 * MiB)),
                          ("Connection", "close")])
    r = check(shared_server, data, 413, "POST /api/v1/tips declaring 3 MiB")
    assert "at most 1048576 bytes (1.0 MiB)" in \
        json.loads(r.body)["error"]["message"], r.body



# ---- request smuggling shapes and control bytes

def test_content_length_with_chunked_is_400(shared_server):
    body = b"5\r\nhello\r\n0\r\n\r\n"
    data = request_bytes("POST", "/tips",
                         [("Content-Type", "text/plain"),
                          ("Content-Length", str(len(body))),
                          ("Transfer-Encoding", "chunked"),
                          ("Connection", "close")], body)
    check(shared_server, data, 400, "Content-Length with chunked")


def test_chunked_with_content_length_is_400(shared_server):
    """The same, headers the other way round."""
    body = b"5\r\nhello\r\n0\r\n\r\n"
    data = request_bytes("POST", "/tips",
                         [("Transfer-Encoding", "chunked"),
                          ("Content-Length", "3"),
                          ("Connection", "close")], body)
    check(shared_server, data, 400, "chunked with Content-Length")


def test_nul_in_header_is_400(shared_server):
    data = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Test: a\x00b\r\nConnection: close\r\n\r\n")
    check(shared_server, data, 400, "NUL in a header value")


def test_nul_in_header_name_is_400(shared_server):
    data = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Te\x00st: ab\r\nConnection: close\r\n\r\n")
    check(shared_server, data, 400, "NUL in a header name")


def test_bare_cr_in_header_is_400(shared_server):
    data = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Test: a\rb\r\nConnection: close\r\n\r\n")
    check(shared_server, data, 400, "bare CR in a header value")


def test_bare_cr_as_line_end_is_400(shared_server):
    data = (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"X-Test: ab\rX-Other: c\r\nConnection: close\r\n\r\n")
    check(shared_server, data, 400, "bare CR ending a header line")


@pytest.mark.parametrize("line", [
    b"GET\r\n",
    b"GET /healthz HTTX/1.1\r\n",
    b"GET /healthz HTTP/1.1 extra\r\n",
    b"GET /healthz HTTP/1.\r\n",
], ids=["no-target", "bad-protocol", "extra-token", "bad-version"])
def test_malformed_request_line_is_400(shared_server, line):
    data = line + b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n"
    check(shared_server, data, 400, "request line %r" % line)


def test_server_survives_all_of_the_above(shared_server):
    """After everything in this module, ordinary requests still work."""
    shared_server.assert_alive()
    r = shared_server.request("GET", "/no-such-page")
    assert r.status == 404
    assert_safe_headers(r, "GET /no-such-page")
