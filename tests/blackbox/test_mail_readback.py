# SPDX-License-Identifier: MIT
"""E-mail tips read back as staff see them (issue 4 audit): test_lmtp.py
proves what is stored in plaintext and that nothing leaks; here the sealed
content is opened through the staff API (GET /api/v1/staff/tips/{id}), so
that each charset's subject, body and file names are shown to be correct
UTF-8, an HTML-only message's text has no script or style, a 10 000-deep
multipart is flagged for a person, and an executable attachment is left
out with its reason recorded for staff."""

import json
import uuid
from email.header import Header
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

import pytest

from harness import serving
from staff_helpers import add_user, admin_password, login
from test_lmtp import (MAIL_CONFIG, TEXTS, chinese_message, deliver,
                       executable_message, tip_id)


@pytest.fixture(scope="module")
def mail(tmp_path_factory):
    """(server, a logged-in admin session)."""
    running = serving(tmp_path_factory.mktemp("readback"), MAIL_CONFIG)
    srv = next(running)
    try:
        add_user(srv, "reader", "admin")
        yield srv, login(srv, "reader", admin_password(srv))
    finally:
        running.close()


def stored(mail, msg):
    """Deliver msg over LMTP; the staff view of the tip it became."""
    srv, staff = mail
    _, replies = deliver(srv, msg)
    assert len(replies) == 1 and replies[0][0] == 250, replies
    r = staff.get("/api/v1/staff/tips/%s" % tip_id(replies[0][1]))
    assert r.status == 200, r
    return json.loads(r.body)


CHARSETS = [("gb2312", "base64"), ("gbk", "8bit"), ("gb18030", "base64"),
            ("big5", "quoted-printable"), ("utf-8", "8bit")]


def marker_for(charset):
    return ("回讀" if charset == "big5" else "回读") + uuid.uuid4().hex[:6]


@pytest.mark.parametrize("charset,transfer", CHARSETS)
def test_charset_reads_back_as_utf8(mail, charset, transfer):
    marker = marker_for(charset)
    subject, body, pdf_name, png_name = TEXTS[charset]
    tip = stored(mail, chinese_message(charset, marker, transfer))
    assert body in tip["details"] and marker in tip["details"], \
        tip["details"]
    assert "\ufffd" not in tip["summary"] + tip["details"]
    assert tip["summary"] and subject.startswith(tip["summary"][:8]), \
        tip["summary"]
    names = sorted(a["name"] for a in tip["attachments"])
    assert names == sorted(["original.eml", pdf_name, png_name]), names
    assert tip["contact"]["email"] == "tipster@example.org"
    assert tip["channel"] == "email" and tip["left_out"] == []


# Mail clients split a long Subject into several encoded words (RFC 2047
# 5); GMime joins adjacent words of one charset before decoding them, and
# a B word that ends in "=" padding used to cut the joined text short
# there (GB text is 2 bytes a character, so its words often end padded).
# service/mail_parse.c joins such runs into one word first.
@pytest.mark.parametrize("charset,transfer", CHARSETS)
def test_subject_in_several_encoded_words(mail, charset, transfer):
    marker = marker_for(charset)
    subject = TEXTS[charset][0]
    tip = stored(mail, chinese_message(charset, marker, transfer))
    assert tip["summary"] == subject + marker, tip["summary"]


def test_html_only_reads_back_as_text(mail):
    msg = MIMEText("<html><head><title>标题</title><style>p{color:red}"
                   "</style><script>alert('x')</script></head><body>"
                   "<p>网页格式的举报内容</p><p>第二段&amp;结束</p></body>"
                   "</html>", "html", "utf-8")
    msg["Subject"] = Header("只有网页格式的举报", "utf-8")
    msg["From"] = "tipster@example.org"
    msg["Message-ID"] = make_msgid(domain="example.org")
    tip = stored(mail, msg)
    d = tip["details"]
    assert "网页格式的举报内容" in d and "第二段&结束" in d, d
    for bad in ("alert", "color:red", "<p>", "标题"):
        assert bad not in d, (bad, d)


def test_deep_nesting_is_flagged(mail):
    depth = 10000
    head = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n"
                    b"--b%d\r\n" % (i, i) for i in range(depth))
    msg = (b"From: a@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
           b"Message-ID: <%s@example.org>\r\n" % uuid.uuid4().hex.encode()
           + head + b"Content-Type: text/plain\r\n\r\ndeep\r\n")
    tip = stored(mail, msg)
    assert tip["needs_review"] is True, tip
    assert [a["name"] for a in tip["attachments"]] == ["original.eml"]


def test_executable_left_out_with_reason(mail):
    tip = stored(mail, executable_message())
    assert tip["needs_review"] is True
    assert sorted(a["name"] for a in tip["attachments"]) == \
        ["a.pdf", "original.eml"]
    assert len(tip["left_out"]) == 1, tip["left_out"]
    left = tip["left_out"][0]
    assert left["name"] == "报告.pdf"
    assert "detected as application/x-" in left["reason"], left
    # The staff page of the tip says it too.
    srv, staff = mail
    page = staff.get("/staff/tips/%s" % tip["id"])
    assert page.status == 200, page
    text = page.body.decode("utf-8")
    assert 'id="left-out"' in text and "报告.pdf" in text, text[:3000]


def test_attached_message_kept_with_its_name(mail):
    inner = chinese_message("gbk", "内嵌")
    outer = MIMEMultipart()
    outer["Subject"] = Header("转发：举报材料", "utf-8")
    outer["From"] = "tipster@example.org"
    outer["Message-ID"] = make_msgid(domain="example.org")
    outer.attach(MIMEText("见附件邮件。", "plain", "utf-8"))
    part = MIMEMessage(inner)
    part.add_header("Content-Disposition", "attachment",
                    filename=("utf-8", "", "原始举报.eml"))
    outer.attach(part)
    tip = stored(mail, outer)
    kept = [a for a in tip["attachments"] if a["name"] == "原始举报.eml"]
    # libmagic calls a message whose first header is Content-Type plain
    # text; either way it is on the allow-list and kept as sent.
    assert kept and kept[0]["type"] in ("message/rfc822", "text/plain"), \
        tip["attachments"]
