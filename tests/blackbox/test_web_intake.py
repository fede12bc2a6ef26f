# SPDX-License-Identifier: MIT
"""The public web form end to end: GET / (languages, labels, code lists,
no script, no cookie), POST /tips with files (stored encrypted, nothing
in plaintext, no client address or user agent anywhere), every refusal
(status, the field or file named, nothing stored, the form filled in
again), the nonce against double posts, submissions_per_hour, and the
JSON code lists."""

import json
import re

import pytest

from harness import (assert_safe_headers, encode_multipart, make_png,
                     run_tipline)
from web_helpers import NONCE_RE, counts, files_containing, receipt_of

UA = "tipline-web-UA/5c1e0d"
# Limits small enough to test, large enough for 1 MiB + 1 byte to reach
# the parser: the whole request may be 4 MiB.
CONFIG = {"limits": {"attachment_max_mb": "1", "tip_max_mb": "4",
                     "attachments_max": "10",
                     "submissions_per_hour": "0"}}

GOOD_FIELDS = [("summary", "某检测公司出具虚假报告"),
               ("details", "详细情况如下。"),
               ("county", "140581")]


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    from harness import serving
    yield from serving(tmp_path_factory.mktemp("web"), CONFIG)


def post_form(server, fields, files=(), path="/tips", headers=None):
    ctype, body = encode_multipart(fields, files)
    h = {"Content-Type": ctype, "User-Agent": UA}
    h.update(headers or {})
    return server.request("POST", path, body=body, headers=h)


# --------------------------------------------------------------------------
# The form page

def test_form_page_chinese_by_default(web):
    r = web.request("GET", "/", headers={"User-Agent": UA})
    assert r.status == 200, r
    assert_safe_headers(r, "GET /")
    assert r.header("cache-control") == "no-store"
    assert "set-cookie" not in r.headers, "a cookie before one is needed"
    csp = r.header("content-security-policy")
    assert "default-src 'none'" in csp and "unsafe-inline" not in csp
    body = r.body.decode("utf-8")
    assert '<html lang="zh-CN">' in body
    assert "<script" not in body.lower() and " style=" not in body
    assert "举报检验检测机构" in body
    # Every input, select and textarea has a label.
    ids = re.findall(r'<(?:input|select|textarea)[^>]* id="([^"]+)"', body)
    assert len(ids) >= 11, ids
    for i in ids:
        assert 'for="%s"' % i in body, "no label for %s" % i
    # The code lists come from the database, with both names.
    assert 'value="140581"' in body and "高平市" in body and \
        "Gaoping City" in body
    assert 'value="food"' in body and "食品" in body and "Food" in body
    assert 'value="false_not_tested"' in body
    # The metadata warning comes before the file input.
    assert body.index('id="metadata-warning"') < \
        body.index('type="file"')
    assert 'enctype="multipart/form-data"' in body
    assert NONCE_RE.search(r.body)
    assert 'href="/static/tipline.css"' in body


def test_form_nonce_is_fresh_per_render(web):
    a = NONCE_RE.search(web.request("GET", "/").body).group(1)
    b = NONCE_RE.search(web.request("GET", "/").body).group(1)
    assert a != b


@pytest.mark.parametrize("path,headers,lang", [
    ("/?lang=en", {}, "en"),
    ("/", {"Accept-Language": "en-US,en;q=0.9"}, "en"),
    ("/", {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}, "zh-CN"),
    ("/", {"Accept-Language": "fr, en;q=0.5"}, "en"),
    ("/", {"Accept-Language": "fr"}, "zh-CN"),
    ("/?lang=zh", {"Accept-Language": "en"}, "zh-CN"),
])
def test_form_language(web, path, headers, lang):
    r = web.request("GET", path, headers=headers)
    assert r.status == 200, r
    assert ('<html lang="%s">' % lang).encode() in r.body, r.body[:300]
    if lang == "en":
        assert b"Report an inspection or testing institution" in r.body
        assert b"photos and documents can carry hidden information" \
            in r.body
        assert b'action="/tips?lang=en"' in r.body


def test_stylesheet(web):
    r = web.request("GET", "/static/tipline.css")
    assert r.status == 200, r
    assert r.header("content-type").startswith("text/css")
    assert b"@media print" in r.body and b"max-width" in r.body


# --------------------------------------------------------------------------
# A good submission

def test_three_files_stored_encrypted(web):
    marker_details = "DETAILS-MARKER-9a8b7c"
    marker_file = b"FILE-MARKER-1f2e3d"
    before = counts(web)
    pdf = (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n" + marker_file +
           b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    files = [("attachments", "检测报告戊己.pdf", "application/pdf", pdf),
             ("attachments", "photo.png", "image/png", make_png()),
             ("attachments", "notes.txt", "text/plain",
              b"notes " + marker_file + b"\n")]
    fields = [("summary", "三个文件的举报"),
              ("details", "见附件。" + marker_details),
              ("institution", "某某检测有限公司"),
              ("county", "140581"), ("domain", "food"),
              ("violation", "false_not_tested"),
              ("occurred_on", "2022-05-01"),
              ("contact_phone", "13800000000")]
    r = post_form(web, fields, files)
    assert r.status == 201, r.body.decode("utf-8", "replace")[:3000]
    assert_safe_headers(r, "POST /tips")
    code = receipt_of(r.body)
    assert re.fullmatch(r"[0-9]{16}", code)
    assert re.search(rb'id="tip-id">T-\d{4}-\d{6}<', r.body)
    assert b"/follow-up" in r.body
    assert "set-cookie" not in r.headers
    after = counts(web)
    assert after[0] == before[0] + 1
    assert after[2] == before[2] + 3
    assert after[3] == before[3] + 3
    v = run_tipline("verify", "--data", web.data_dir,
                    "--config", web.config_path)
    assert v.returncode == 0, v.stdout + v.stderr
    leaks = files_containing(web.data_dir, [
        marker_details.encode(), marker_file, "检测报告戊己".encode("utf-8"),
        "某某检测有限公司".encode("utf-8"), b"13800000000",
        b"127.0.0.1", UA.encode(), code.encode()])
    assert not leaks, "plaintext under the data dir: %r" % leaks
    log = web.stderr_text()
    assert UA not in log and code not in log
    for line in web.stderr_lines():
        if "listening" not in line:
            assert "127.0.0.1" not in line, line


def test_api_multipart_with_chinese_file_name(web):
    r = post_form(web, GOOD_FIELDS, [("attachments", "现场照片.png",
                                      "image/png", make_png())],
                  path="/api/v1/tips")
    assert r.status == 201, r
    doc = json.loads(r.body)
    assert doc["status"] == "received" and doc["bureau"] == "140581"
    assert re.fullmatch(r"[0-9]{16}", doc["receipt"])


# --------------------------------------------------------------------------
# Refusals: status, the field or file named, nothing stored

ELF = open("/bin/true", "rb").read()[:200000]
HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body>" \
    b"<script>alert(1)</script></body></html>\n"

REFUSALS = [
    ("missing summary", [("details", "x")], [], 400, "summary", None),
    ("summary of 201 characters",
     [("summary", "长" * 201), ("details", "x")], [], 400, "summary", None),
    ("unknown county",
     GOOD_FIELDS[:2] + [("county", "999999")], [], 400, "county", None),
    ("bad date", GOOD_FIELDS + [("occurred_on", "2022-02-30")], [], 400,
     "occurred_on", None),
    ("11 files", GOOD_FIELDS,
     [("attachments", "f%d.txt" % i, "text/plain", b"text %d\n" % i)
      for i in range(11)], 413, "attachments", None),
    ("a file 1 byte over the limit", GOOD_FIELDS,
     [("attachments", "big.txt", "text/plain", b"a" * (1024 * 1024 + 1))],
     413, "attachments", "big.txt"),
    ("an ELF named report.pdf", GOOD_FIELDS,
     [("attachments", "report.pdf", "application/pdf", ELF)], 415,
     "attachments", "report.pdf"),
    ("HTML named photo.jpg", GOOD_FIELDS,
     [("attachments", "photo.jpg", "image/jpeg", HTML)], 415,
     "attachments", "photo.jpg"),
]


@pytest.mark.parametrize("what,fields,files,status,field,fname", REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_refusal_web(web, what, fields, files, status, field, fname):
    before = counts(web)
    r = post_form(web, fields, files, path="/tips?lang=en")
    assert r.status == status, (what, r.body[:3000])
    assert_safe_headers(r, what)
    body = r.body.decode("utf-8")
    # The form comes back, the problem beside its field ...
    assert 'id="field-%s"' % field in body
    assert re.search(r'class="field has-error" id="field-%s"' % field, body)
    assert 'id="e-%s"' % field in body, body[:3000]
    if fname:
        assert fname in body
    # ... with the text filled in again and a word about the files.
    summary = dict(fields).get("summary")
    if summary and status != 400:
        assert summary in body
    assert "choose them again" in body
    assert counts(web) == before, what
    web.assert_alive()


@pytest.mark.parametrize("what,fields,files,status,field,fname", REFUSALS,
                         ids=[r[0] for r in REFUSALS])
def test_refusal_api(web, what, fields, files, status, field, fname):
    before = counts(web)
    r = post_form(web, fields, files, path="/api/v1/tips")
    assert r.status == status, (what, r.body)
    err = json.loads(r.body)["error"]
    assert err["field"] == field, err
    if fname:
        assert fname in err["message"], err
    assert counts(web) == before, what
    web.assert_alive()


def test_refusal_message_in_chinese(web):
    r = post_form(web, GOOD_FIELDS, [("attachments", "photo.jpg",
                                      "image/jpeg", HTML)])
    assert r.status == 415
    body = r.body.decode("utf-8")
    assert "文件“photo.jpg”经检测为 text/html 类型" in body, body[:3000]
    assert "某检测公司出具虚假报告" in body     # filled in again


def test_refusal_keeps_text(web):
    fields = [("summary", "x" * 201), ("details", "保留<我>的文字 & 引号\""),
              ("institution", "某机构"), ("county", "140522")]
    r = post_form(web, fields)
    assert r.status == 400
    body = r.body.decode("utf-8")
    assert "保留&lt;我&gt;的文字 &amp; 引号&quot;" in body
    assert 'value="某机构"' in body
    assert '<option value="140522" selected>' in body


def test_invalid_utf8(web):
    before = counts(web)
    ctype, body = encode_multipart(GOOD_FIELDS)
    body = body.replace("详细情况如下。".encode("utf-8"), b"bad \xff\xfe text")
    r = web.request("POST", "/tips", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 400, r
    assert b'id="e-details"' in r.body
    assert counts(web) == before
    web.assert_alive()


def test_nul_in_field(web):
    before = counts(web)
    ctype, body = encode_multipart(GOOD_FIELDS + [("institution",
                                                   "abc\x00def")])
    r = web.request("POST", "/api/v1/tips", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 400, r
    assert json.loads(r.body)["error"]["field"] == "institution"
    r = web.request("POST", "/tips", body=body,
                    headers={"Content-Type": ctype})
    assert r.status == 400, r
    assert counts(web) == before
    web.assert_alive()


def _raw_post(server, ctype, body):
    head = ("POST /tips HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\n"
            "Content-Length: %d\r\nConnection: close\r\n\r\n"
            % (ctype, len(body))).encode("latin-1")
    return server.raw(head + body, timeout=60)


@pytest.mark.parametrize("what", ["no boundary", "truncated body",
                                  "10000 empty parts",
                                  "1 MB part header"])
def test_malformed_multipart(web, what):
    before = counts(web)
    ctype, body = encode_multipart(GOOD_FIELDS)
    if what == "no boundary":
        ctype = "multipart/form-data"
    elif what == "truncated body":
        body = body[:len(body) // 2]
    elif what == "10000 empty parts":
        b = ctype.split("boundary=")[1]
        body = ("--%s\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n"
                "\r\n" % b).encode() * 10000 + ("--%s--\r\n" % b).encode()
    else:
        b = ctype.split("boundary=")[1]
        body = ("--%s\r\nContent-Disposition: form-data; name=\"summary\""
                "\r\nX-Pad: " % b).encode() + b"a" * (1024 * 1024) + \
            ("\r\n\r\nx\r\n--%s--\r\n" % b).encode()
    r = _raw_post(web, ctype, body)
    assert r is not None and r.status == 400, (what, r)
    assert_safe_headers(r, what)
    assert counts(web) == before
    web.assert_alive()


def test_same_nonce_twice_one_tip(web):
    before = counts(web)
    fields = GOOD_FIELDS + [("nonce", "0123456789abcdef0123456789abcdef")]
    r1 = post_form(web, fields)
    r2 = post_form(web, fields)
    assert r1.status == 201, r1
    assert r2.status == 200, r2
    assert receipt_of(r1.body)
    assert b'id="receipt"' not in r2.body
    assert counts(web)[0] == before[0] + 1


# --------------------------------------------------------------------------
# JSON code lists

@pytest.mark.parametrize("path,key,code", [
    ("/api/v1/bureaus", "bureaus", "140581"),
    ("/api/v1/domains", "domains", "food"),
    ("/api/v1/violations", "violations", "false_not_tested"),
])
def test_code_lists(web, path, key, code):
    r = web.request("GET", path)
    assert r.status == 200, r
    assert r.header("content-type") == "application/json"
    items = json.loads(r.body)[key]
    found = [i for i in items if i["code"] == code]
    assert found and found[0]["name_zh"] and found[0]["name_en"]
    if key == "bureaus":
        assert found[0]["county"] is True
        city = [i for i in items if i["code"] == "140500"][0]
        assert city["county"] is False


# --------------------------------------------------------------------------
# submissions_per_hour

def test_submissions_per_hour(start_server):
    srv = start_server(config={"limits": {"submissions_per_hour": "2"}})
    ctype, body = encode_multipart(GOOD_FIELDS)
    h = {"Content-Type": ctype}
    assert srv.request("POST", "/api/v1/tips", body=body,
                       headers=h).status == 201
    assert srv.request("POST", "/tips", body=body, headers=h).status == 201
    r = srv.request("POST", "/api/v1/tips", body=body, headers=h)
    assert r.status == 429, r
    assert 0 < int(r.header("retry-after")) <= 3600
    assert json.loads(r.body)["error"]["code"] == "rate_limited"
    r = srv.request("POST", "/tips", body=body, headers=h)
    assert r.status == 429 and r.header("retry-after")
    srv.assert_alive()
