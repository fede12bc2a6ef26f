# SPDX-License-Identifier: MIT
"""E-mail intake over LMTP (RFC 2033) against the real listener, and the
HTTP door POST /api/v1/mail.

Messages are built with Python's email package in each charset Chinese
mail clients use; the reply codes are the contract's (contract.md, "LMTP").
Tip content is sealed, so a stored message is checked through what is in
plaintext (the tips and attachments rows: channel, bureau, attachment count,
detected types), through `tipline verify`, through the duplicate check (the
same bytes delivered again by another door must be found as the same tip:
that proves the bytes were stored exactly, dots unstuffed, bare LFs kept),
and by making sure the Chinese marker text appears nowhere in plaintext
under the data directory.  After every hostile input the server must still
answer.
"""

import email.encoders
import os
import re
import smtplib
import socket
import subprocess
import time
import uuid
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

import pytest

from harness import (HOST, DatabaseLock, child_env, db_count, db_query,
                     make_png, merged_config, run_tipline, serving,
                     tipline_bin)

TIP_ID_RE = re.compile(rb"T-\d{4}-\d{6}")
MAIL_MAX = 1 << 20

MAIL_CONFIG = {
    "limits": {"mail_max_mb": "1"},
    "mail": {"tip_addresses": "tips@localhost",
             "bureau_addresses": "140581:gaoping@localhost"},
}

# A minimal PDF that libmagic calls application/pdf.
PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
       b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")


# --------------------------------------------------------------------------
# Fixtures and helpers

@pytest.fixture(scope="module")
def mail_server(tmp_path_factory):
    for srv in serving(tmp_path_factory.mktemp("lmtp"), MAIL_CONFIG):
        assert srv.lmtp_port, ("no `listening lmtp=` line:\n" +
                               srv.stderr_text())
        yield srv


def tips(server):
    return db_count(server.data_dir, "tips")


def tip_row(server, public_id):
    rows = db_query(server.data_dir, "SELECT id, channel, bureau FROM tips "
                    "WHERE public_id = ?", (public_id,))
    assert len(rows) == 1, "no tip %s" % public_id
    return rows[0]


def attachments(server, public_id):
    """[(detected_type, is_original_mail)] of a tip."""
    return db_query(server.data_dir, "SELECT a.detected_type, "
                    "a.is_original_mail FROM attachments a JOIN tips t "
                    "ON t.id = a.tip_id WHERE t.public_id = ? ORDER BY a.id",
                    (public_id,))


def tip_id(reply):
    m = TIP_ID_RE.search(reply if isinstance(reply, bytes)
                         else reply.encode())
    assert m, "no tip id in %r" % (reply,)
    return m.group(0).decode()


def lmtp(server, timeout=60):
    c = smtplib.LMTP(HOST, server.lmtp_port, timeout=timeout)
    code, _ = c.ehlo("client.example.org")
    assert code == 250
    return c


def deliver(server, msg, rcpts=("tips@localhost",),
            sender="tipster@example.org", timeout=60):
    """One LMTP transaction with smtplib; returns ([rcpt replies], [data
    replies]): one data reply per accepted recipient (RFC 2033 4.2)."""
    data = msg if isinstance(msg, bytes) else msg.as_bytes()
    with lmtp(server, timeout) as c:
        code, text = c.mail(sender)
        assert code == 250, (code, text)
        rcpt = [c.rcpt(r) for r in rcpts]
        accepted = [r for r in rcpt if r[0] == 250]
        if not accepted:
            return rcpt, []
        replies = [c.data(data)]
        replies += [c.getreply() for _ in accepted[1:]]
        c.quit()
    return rcpt, replies


class Raw:
    """A raw LMTP connection: bytes out, reply lines in."""

    def __init__(self, port, timeout=30):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.buf = b""
        self.timeout = timeout

    def send(self, data):
        self.sock.sendall(data)

    def line(self):
        deadline = time.monotonic() + self.timeout
        while b"\r\n" not in self.buf:
            left = deadline - time.monotonic()
            assert left > 0, "no reply line (got %r)" % self.buf
            self.sock.settimeout(left)
            piece = self.sock.recv(65536)
            if not piece:
                raise EOFError("closed; pending %r" % self.buf)
            self.buf += piece
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def reply(self):
        """One (possibly multi-line) reply: (code, [lines])."""
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            assert re.match(rb"^\d{3}[ -]", line), "bad reply %r" % line
            if line[3:4] == b" ":
                return int(line[:3]), lines

    def code(self):
        return self.reply()[0]

    def closed(self):
        """Whether the server closed the connection (after any replies)."""
        try:
            self.sock.settimeout(self.timeout)
            return self.sock.recv(1) == b""
        except (ConnectionResetError, BrokenPipeError):
            return True

    def close(self):
        self.sock.close()


def raw_session(server):
    r = Raw(server.lmtp_port)
    assert r.code() == 220
    r.send(b"LHLO client.example.org\r\n")
    code, lines = r.reply()
    assert code == 250
    return r, lines


def assert_alive(server):
    """Both doors still answer."""
    server.assert_alive()
    r = Raw(server.lmtp_port)
    try:
        assert r.code() == 220
        r.send(b"NOOP\r\n")
        assert r.code() == 250
    finally:
        r.close()


def plain_message(subject="test", body="body text", msgid=None, extra=b""):
    msgid = msgid or make_msgid(domain="example.org")
    return (("From: tipster@example.org\r\nTo: tips@localhost\r\n"
             "Subject: %s\r\nMessage-ID: %s\r\nDate: %s\r\n"
             "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
             "\r\n%s\r\n" % (subject, msgid, formatdate(), body))
            .encode("utf-8") + extra)


def stuff(data):
    """Dot-stuffing as a client does it (RFC 5321 4.5.2): a dot that
    starts a line (after CRLF only) is doubled."""
    return re.sub(rb"(\A|\r\n)\.", rb"\1..", data)


def assert_not_in_plaintext(data_dir, needles):
    """None of the byte strings in needles occurs in any file under the
    data directory (database, WAL, blobs, keys)."""
    for dirpath, _, files in os.walk(data_dir):
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                data = f.read()
            for needle in needles:
                assert needle not in data, \
                    "plaintext %r found in %s" % (needle, path)


# --------------------------------------------------------------------------
# Chinese mail in every charset

TEXTS = {
    # charset: (subject, body, attachment name, image name)
    "gb2312": ("举报晋城市某检测有限公司出具虚假检验报告",
               "我们发现该公司出具虚假检验报告，请依法查处。",
               "检测报告.pdf", "现场照片.png"),
    "gbk": ("举报某检测公司数据造假（附件）",
            "该机构伪造原始记录，冒用他人签名。",
            "原始记录扫描件.pdf", "聊天截图.png"),
    "gb18030": ("举报某检验检测机构出具不实报告𠀀",
                "检测人员未到现场即出具报告。𠀀",
                "报告复印件𠀀.pdf", "照片.png"),
    "big5": ("檢舉某檢測公司出具虛假檢驗報告",
             "我們發現該公司出具虛假檢驗報告，請依法查處。",
             "檢測報告.pdf", "現場照片.png"),
    "utf-8": ("举报：晋城某检测公司出具虚假报告",
              "请核查该公司二〇二二年出具的报告。",
              "举报材料（第一批）很长很长很长很长很长很长很长很长的文件名.pdf",
              "截图.png"),
}


def encoded_words(text, charset):
    """RFC 2047 B encoded words labelled charset as mail clients label
    them (Python's Header says "eucgb2312_cn" and "big5_tw" instead), at
    most 8 characters each so that none is over 75 bytes."""
    import base64
    return " ".join("=?%s?b?%s?=" % (charset, base64.b64encode(
        text[i:i + 8].encode(charset)).decode("ascii"))
        for i in range(0, len(text), 8))


def chinese_message(charset, marker, transfer="base64"):
    subject, body, pdf_name, png_name = TEXTS[charset]
    msg = MIMEMultipart()
    name = "熱心群眾" if charset == "big5" else "热心群众"
    msg["From"] = "%s <tipster@example.org>" % encoded_words(name, charset)
    msg["To"] = "tips@localhost"
    msg["Subject"] = encoded_words(subject + marker, charset)
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg["Date"] = formatdate()
    text = MIMEText("", "plain", charset)
    payload = (body + "\n" + marker + "\n").encode(charset)
    # MIMEText set a Content-Transfer-Encoding already: without it gone,
    # the encoders would decode the raw bytes by it (and send no text).
    del text["Content-Transfer-Encoding"]
    text.set_payload(payload)
    if transfer == "8bit":
        text["Content-Transfer-Encoding"] = "8bit"
    else:
        if transfer == "quoted-printable":
            email.encoders.encode_quopri(text)
        else:
            email.encoders.encode_base64(text)
    msg.attach(text)
    pdf = MIMEBase("application", "pdf")
    pdf.set_payload(PDF)
    email.encoders.encode_base64(pdf)
    # RFC 2231 file name in the message's charset (with continuations
    # when long, as the email package folds it).
    pdf.add_header("Content-Disposition", "attachment",
                   filename=(charset, "", pdf_name))
    msg.attach(pdf)
    png = MIMEBase("image", "png")
    png.set_payload(make_png())
    email.encoders.encode_base64(png)
    # The Foxmail / Outlook way: an RFC 2047 encoded word in name=.
    encoded = encoded_words(png_name, charset)
    png.replace_header("Content-Type", 'image/png; name="%s"' % encoded)
    png.add_header("Content-Disposition",
                   'attachment; filename="%s"' % encoded)
    msg.attach(png)
    return msg


@pytest.mark.parametrize("charset,transfer", [
    ("gb2312", "base64"), ("gbk", "base64"), ("gbk", "8bit"),
    ("gb18030", "base64"), ("big5", "base64"), ("big5", "quoted-printable"),
    ("utf-8", "base64"), ("utf-8", "8bit")])
def test_chinese_charsets(mail_server, charset, transfer):
    marker = ("暗號" if charset == "big5" else "暗号") + uuid.uuid4().hex[:8]
    msg = chinese_message(charset, marker, transfer)
    before = tips(mail_server)
    _, replies = deliver(mail_server, msg)
    assert len(replies) == 1 and replies[0][0] == 250, replies
    tid = tip_id(replies[0][1])
    assert tips(mail_server) == before + 1
    _, channel, bureau = tip_row(mail_server, tid)
    assert channel == "email"
    assert bureau == "140500"          # no routing signal: the city queue
    atts = attachments(mail_server, tid)
    assert sum(1 for _, orig in atts if orig) == 1, atts
    types = sorted(t for t, orig in atts if not orig)
    assert types == ["application/pdf", "image/png"], atts
    subject, body, pdf_name, _ = TEXTS[charset]
    needles = [marker.encode("utf-8"), marker.encode(charset),
               body.encode("utf-8")[:24], pdf_name.encode("utf-8")]
    assert_not_in_plaintext(mail_server.data_dir, needles)
    assert_alive(mail_server)


def test_verify_after_mail(mail_server):
    """Everything stored so far decrypts and checks out."""
    deliver(mail_server, chinese_message("gbk", "核对"))
    p = run_tipline("verify", "--data", mail_server.data_dir, "--config",
                    mail_server.config_path)
    assert p.returncode == 0, p.stdout + p.stderr


# --------------------------------------------------------------------------
# The protocol

def test_greeting_and_lhlo(mail_server):
    r = Raw(mail_server.lmtp_port)
    try:
        code, lines = r.reply()
        assert code == 220 and b"LMTP" in lines[0]
        r.send(b"LHLO client.example.org\r\n")
        code, lines = r.reply()
        assert code == 250
        ext = [l[4:].upper() for l in lines[1:]]
        assert b"PIPELINING" in ext and b"ENHANCEDSTATUSCODES" in ext
        assert b"8BITMIME" in ext
        assert ("SIZE %d" % MAIL_MAX).encode() in ext
        r.send(b"QUIT\r\n")
        assert r.code() == 221
        assert r.closed()
    finally:
        r.close()


@pytest.mark.parametrize("verb", [b"HELO", b"EHLO"])
def test_helo_ehlo_refused(mail_server, verb):
    r = Raw(mail_server.lmtp_port)
    try:
        assert r.code() == 220
        r.send(verb + b" client.example.org\r\n")
        code, lines = r.reply()
        assert code == 500 and b"5.5.1" in lines[0] and b"LHLO" in lines[0]
    finally:
        r.close()
    assert_alive(mail_server)


def test_out_of_order_and_unknown(mail_server):
    r = Raw(mail_server.lmtp_port)
    try:
        assert r.code() == 220
        r.send(b"MAIL FROM:<a@example.org>\r\n")
        assert r.reply()[1][0].startswith(b"503 5.5.1")
        r.send(b"LHLO x\r\n")
        assert r.code() == 250
        r.send(b"RCPT TO:<tips@localhost>\r\n")
        assert r.reply()[1][0].startswith(b"503 5.5.1")
        r.send(b"DATA\r\n")
        assert r.reply()[1][0].startswith(b"503 5.5.1")
        r.send(b"MAIL FROM:<a@example.org>\r\n")
        assert r.code() == 250
        r.send(b"MAIL FROM:<a@example.org>\r\n")
        assert r.reply()[1][0].startswith(b"503 5.5.1")
        r.send(b"DATA\r\n")       # no recipient yet
        assert r.reply()[1][0].startswith(b"503 5.5.1")
        r.send(b"STARTTLS\r\n")
        assert r.reply()[1][0].startswith(b"500 5.5.2")
        r.send(b"\r\n")
        assert r.code() == 500
        r.send(b"RCPT TO:<tips@localhost> NOTIFY=NEVER\r\n")
        assert r.code() == 555
        r.send(b"RCPT TO:<tips@localhost\r\n")
        assert r.code() == 501
        r.send(b"NOOP\r\n")
        assert r.code() == 250
        r.send(b"RSET\r\n")
        assert r.code() == 250
        r.send(b"RCPT TO:<tips@localhost>\r\n")   # RSET ended the MAIL
        assert r.code() == 503
        r.send(b"QUIT\r\n")
        assert r.code() == 221
    finally:
        r.close()
    assert_alive(mail_server)


def test_overlong_command_line(mail_server):
    r = Raw(mail_server.lmtp_port)
    try:
        assert r.code() == 220
        r.send(b"NOOP " + b"x" * 5000 + b"\r\n")
        code, lines = r.reply()
        assert code == 500 and b"5.5.2" in lines[0]
        assert r.closed()
    finally:
        r.close()
    assert_alive(mail_server)


def test_multi_recipient_one_unknown(mail_server):
    """550 for the unknown recipient, one reply per accepted recipient,
    one tip, routed by the bureau address."""
    before = tips(mail_server)
    rcpt, replies = deliver(mail_server, plain_message("多收件人"),
                            rcpts=("tips@localhost", "nobody@localhost",
                                   "gaoping@localhost"))
    assert [c for c, _ in rcpt] == [250, 550, 250], rcpt
    assert b"5.1.1" in rcpt[1][1]
    assert len(replies) == 2, replies
    assert all(c == 250 for c, _ in replies), replies
    assert tip_id(replies[0][1]) == tip_id(replies[1][1])
    assert tips(mail_server) == before + 1
    assert tip_row(mail_server, tip_id(replies[0][1]))[2] == "140581"


def test_recipient_cap(mail_server):
    r, _ = raw_session(mail_server)
    try:
        r.send(b"MAIL FROM:<a@example.org>\r\n")
        assert r.code() == 250
        r.send(b"RCPT TO:<tips@localhost>\r\n" * 101)
        codes = [r.code() for _ in range(101)]
        assert codes[:100] == [250] * 100 and codes[100] == 452, codes
    finally:
        r.close()


def test_pipelining(mail_server):
    """A whole session in one write (RFC 2920): every reply, in order; the
    second transaction is read only after the first message was stored."""
    before = tips(mail_server)
    m1 = plain_message("pipelined one")
    m2 = plain_message("pipelined two")
    r = Raw(mail_server.lmtp_port)
    try:
        r.send(b"LHLO x\r\n"
               b"MAIL FROM:<a@example.org>\r\n"
               b"RCPT TO:<tips@localhost>\r\n"
               b"RCPT TO:<nobody@localhost>\r\n"
               b"RCPT TO:<tips+140525@localhost>\r\n"
               b"DATA\r\n" + m1 + b".\r\n"
               b"NOOP\r\n"
               b"MAIL FROM:<b@example.org> SIZE=%d\r\n" % len(m2) +
               b"RCPT TO:<tips@localhost>\r\n"
               b"DATA\r\n" + m2 + b".\r\n"
               b"QUIT\r\n")
        codes = [r.code() for _ in range(13)]
        # Spelled out: greeting, LHLO, MAIL, RCPT, RCPT(550), RCPT,
        # 354, two replies for the message, NOOP, MAIL, RCPT, 354.
        assert codes == [220, 250, 250, 250, 550, 250, 354, 250, 250,
                         250, 250, 250, 354], codes
        assert r.code() == 250          # the second message
        assert r.code() == 221
        assert r.closed()
    finally:
        r.close()
    assert tips(mail_server) == before + 2
    assert_alive(mail_server)


def test_size_over_limit_at_mail(mail_server):
    r, _ = raw_session(mail_server)
    try:
        r.send(b"MAIL FROM:<a@example.org> SIZE=%d\r\n" % (MAIL_MAX + 1))
        code, lines = r.reply()
        assert code == 552 and b"5.3.4" in lines[0]
        r.send(b"MAIL FROM:<a@example.org> SIZE=%d\r\n" % MAIL_MAX)
        assert r.code() == 250
    finally:
        r.close()
    assert_alive(mail_server)


def test_oversized_data(mail_server):
    """Over mail_max: read to the end, 552 per recipient, nothing kept;
    the session goes on."""
    before_tips = tips(mail_server)
    before_blobs = db_count(mail_server.data_dir, "attachments")
    big = plain_message("too big", "x" * 100 + "\r\n" +
                        ("y" * 998 + "\r\n") * 1100)
    assert len(big) > MAIL_MAX
    r, _ = raw_session(mail_server)
    try:
        r.send(b"MAIL FROM:<a@example.org>\r\n")
        assert r.code() == 250
        r.send(b"RCPT TO:<tips@localhost>\r\nRCPT TO:<gaoping@localhost>\r\n")
        assert r.code() == 250 and r.code() == 250
        r.send(b"DATA\r\n")
        assert r.code() == 354
        r.send(big + b".\r\n")
        for _ in range(2):
            code, lines = r.reply()
            assert code == 552 and b"5.3.4" in lines[0], lines
        r.send(b"NOOP\r\n")
        assert r.code() == 250
    finally:
        r.close()
    assert tips(mail_server) == before_tips
    assert db_count(mail_server.data_dir, "attachments") == before_blobs
    assert_alive(mail_server)


def test_empty_message(mail_server):
    r, _ = raw_session(mail_server)
    try:
        r.send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<tips@localhost>\r\n"
               b"DATA\r\n")
        assert [r.code() for _ in range(3)] == [250, 250, 354]
        r.send(b".\r\n")
        code, lines = r.reply()
        assert code == 554 and b"5.6.0" in lines[0]
    finally:
        r.close()


def run_ingest_bytes(server, data):
    """ingest-mail with bytes on stdin; (returncode, stdout)."""
    p = subprocess.run([tipline_bin(), "ingest-mail", "--data",
                        server.data_dir, "--config", server.config_path],
                       input=data, capture_output=True, env=child_env(),
                       timeout=60)
    assert b"ERROR: AddressSanitizer" not in p.stderr, p.stderr
    return p.returncode, p.stdout.decode().strip(), p.stderr.decode()


def test_dot_stuffing_round_trip(mail_server):
    """Lines that start with a dot arrive unstuffed: the same message fed
    to ingest-mail afterwards is recognised as the same bytes."""
    body = ".starts with a dot\r\n..two dots\r\n.\r\n. dot space\r\nend"
    msg = plain_message("dots", body)
    _, replies = deliver(mail_server, msg)    # smtplib stuffs the dots
    assert replies[0][0] == 250, replies
    tid = tip_id(replies[0][1])
    rc, out, err = run_ingest_bytes(mail_server, msg)
    assert rc == 0, err
    assert out == tid, "ingest-mail stored %s, LMTP stored %s: the LMTP " \
        "bytes differ (dot-unstuffing?)" % (out, tid)


@pytest.mark.parametrize("smuggle", [b"\n.\n", b"\r\n.\n", b"\n.\r\n",
                                     b"\r.\r\n", b"\r\n.\r\r\n"])
def test_bare_lf_smuggling(mail_server, smuggle):
    """A bare LF (or CR) around a dot never ends the message: the commands
    after it are data, one tip with those bytes in it."""
    before = tips(mail_server)
    msg = plain_message("smuggle", "first part" +
                        smuggle.decode() +
                        "MAIL FROM:<evil@example.org>\r\n"
                        "RCPT TO:<gaoping@localhost>\r\nDATA\r\n"
                        "smuggled\r\nend")
    r, _ = raw_session(mail_server)
    try:
        r.send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<tips@localhost>\r\n"
               b"DATA\r\n" + stuff(msg) + b".\r\nNOOP\r\n")
        codes = [r.code() for _ in range(3)]
        assert codes == [250, 250, 354], codes
        code, lines = r.reply()
        assert code == 250, lines
        tid = tip_id(lines[0])
        assert r.code() == 250            # the NOOP, nothing in between
    finally:
        r.close()
    assert tips(mail_server) == before + 1
    assert tip_row(mail_server, tid)[2] == "140500"
    rc, out, err = run_ingest_bytes(mail_server, msg)
    assert rc == 0 and out == tid, (rc, out, err)


def test_connection_dropped_mid_data(mail_server):
    before = tips(mail_server)
    r, _ = raw_session(mail_server)
    r.send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<tips@localhost>\r\n"
           b"DATA\r\n")
    assert [r.code() for _ in range(3)] == [250, 250, 354]
    r.send(plain_message("dropped")[:200])
    r.close()
    # A full delivery afterwards is stored; the dropped one never is.
    _, replies = deliver(mail_server, plain_message("after the drop"))
    assert replies[0][0] == 250
    assert tips(mail_server) == before + 1
    assert_alive(mail_server)


def test_same_message_twice(mail_server):
    before = tips(mail_server)
    msg = chinese_message("gbk", "重复投递")
    data = msg.as_bytes()
    _, first = deliver(mail_server, data)
    _, second = deliver(mail_server, data)
    assert first[0][0] == 250 and second[0][0] == 250
    assert tip_id(first[0][1]) == tip_id(second[0][1])
    assert tips(mail_server) == before + 1


def test_deep_nesting(mail_server):
    """10 000 nested multiparts: accepted (the original kept), no crash."""
    depth = 10000
    head = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n"
                    b"--b%d\r\n" % (i, i) for i in range(depth))
    msg = (b"From: a@example.org\r\nSubject: deep\r\nMIME-Version: 1.0\r\n"
           + head + b"Content-Type: text/plain\r\n\r\ndeep\r\n")
    assert len(msg) < MAIL_MAX
    _, replies = deliver(mail_server, msg)
    assert replies[0][0] == 250, replies
    atts = attachments(mail_server, tip_id(replies[0][1]))
    assert any(orig for _, orig in atts), atts
    assert_alive(mail_server)


def test_html_only(mail_server):
    msg = MIMEText("<html><head><style>p{color:red}</style>"
                   "<script>alert(1)</script></head><body><p>网页格式的举报"
                   "内容</p></body></html>", "html", "utf-8")
    msg["Subject"] = Header("只有网页格式", "utf-8")
    msg["From"] = "tipster@example.org"
    msg["Message-ID"] = make_msgid(domain="example.org")
    _, replies = deliver(mail_server, msg)
    assert replies[0][0] == 250, replies
    atts = attachments(mail_server, tip_id(replies[0][1]))
    assert [orig for _, orig in atts] == [1], atts


def test_attached_message(mail_server):
    inner = chinese_message("gb2312", "转发")
    outer = MIMEMultipart()
    outer["Subject"] = Header("转发：举报材料", "utf-8")
    outer["From"] = "tipster@example.org"
    outer["Message-ID"] = make_msgid(domain="example.org")
    outer.attach(MIMEText("见附件邮件。", "plain", "utf-8"))
    part = MIMEMessage(inner)
    part.add_header("Content-Disposition", "attachment",
                    filename="原始举报.eml")
    outer.attach(part)
    _, replies = deliver(mail_server, outer)
    assert replies[0][0] == 250, replies
    atts = attachments(mail_server, tip_id(replies[0][1]))
    assert sum(1 for _, orig in atts if orig) == 1, atts
    assert len(atts) >= 2, "the attached message is not kept: %r" % atts


def executable_message():
    """A message with an ELF file named 报告.pdf and a real a.pdf."""
    with open("/bin/true", "rb") as f:
        elf = f.read()
    assert elf[:4] == b"\x7fELF"
    msg = MIMEMultipart()
    msg["Subject"] = Header("带可执行文件的举报", "utf-8")
    msg["From"] = "tipster@example.org"
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg.attach(MIMEText("请看附件。", "plain", "utf-8"))
    exe = MIMEBase("application", "octet-stream")
    exe.set_payload(elf)
    email.encoders.encode_base64(exe)
    exe.add_header("Content-Disposition", "attachment",
                   filename="报告.pdf")
    msg.attach(exe)
    pdf = MIMEBase("application", "pdf")
    pdf.set_payload(PDF)
    email.encoders.encode_base64(pdf)
    pdf.add_header("Content-Disposition", "attachment", filename="a.pdf")
    msg.attach(pdf)
    return msg


def test_executable_attachment(mail_server):
    """An ELF file: the message is accepted, the executable is not kept as
    an attachment (the original message, which holds it, is; the reason
    for staff: test_mail_readback.py)."""
    _, replies = deliver(mail_server, executable_message())
    assert replies[0][0] == 250, replies
    atts = attachments(mail_server, tip_id(replies[0][1]))
    assert sum(1 for _, orig in atts if orig) == 1, atts
    assert [t for t, orig in atts if not orig] == ["application/pdf"], atts
    assert all("executable" not in t and "sharedlib" not in t
               for t, _ in atts), atts


def test_thousand_messages_flat_memory(mail_server):
    """1 000 messages on one connection; the server's RSS stays flat.
    Each message is 32 KiB, so that keeping any copy of each of the last
    900 (28 MiB) would break the 16 MiB bound."""
    def rss_kib():
        with open("/proc/%d/status" % mail_server.proc.pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    before = tips(mail_server)
    with lmtp(mail_server, timeout=120) as c:
        def one(i):
            msg = plain_message("消息 %d" % i, "正文 %d %s" % (
                i, ("z" * 76 + "\r\n") * 420))
            assert c.mail("tipster@example.org")[0] == 250
            assert c.rcpt("tips@localhost")[0] == 250
            code, text = c.data(msg)
            assert code == 250, (i, code, text)
        for i in range(100):
            one(i)
        warm = rss_kib()
        for i in range(100, 1000):
            one(i)
        after = rss_kib()
        c.quit()
    assert tips(mail_server) == before + 1000
    asan = "libasan" in open("/proc/%d/maps" % mail_server.proc.pid).read()
    # ASan keeps freed memory in quarantine (up to 256 MiB): only a bound.
    slack = 300 * 1024 if asan else 16 * 1024
    assert after - warm < slack, "RSS grew from %d KiB to %d KiB" % (
        warm, after)
    assert_alive(mail_server)


# --------------------------------------------------------------------------
# Transient faults and the in-flight budget

def test_database_locked_451_then_stored(mail_server):
    """The database locked by another process: 451 (the MTA keeps the
    message); once the lock is gone the same message is stored."""
    before = tips(mail_server)
    msg = plain_message("锁住的数据库")
    r, _ = raw_session(mail_server)
    try:
        with DatabaseLock(mail_server.data_dir):
            r.send(b"MAIL FROM:<a@example.org>\r\n"
                   b"RCPT TO:<tips@localhost>\r\nDATA\r\n")
            assert [r.code() for _ in range(3)] == [250, 250, 354]
            r.send(msg + b".\r\n")
            code, lines = r.reply()
            assert code in (451, 452), lines
            assert lines[0][4:9] in (b"4.3.0", b"4.3.1"), lines
        r.send(b"RSET\r\nMAIL FROM:<a@example.org>\r\n"
               b"RCPT TO:<tips@localhost>\r\nDATA\r\n")
        assert [r.code() for _ in range(4)] == [250, 250, 250, 354]
        r.send(msg + b".\r\n")
        code, lines = r.reply()
        assert code == 250, lines
    finally:
        r.close()
    assert tips(mail_server) == before + 1


def test_inflight_budget(start_server):
    """DATA bytes count against inflight_max with HTTP bodies: a second
    large message while one is in flight gets 451 4.3.1 at DATA."""
    srv = start_server(config=merged_config(dict(
        MAIL_CONFIG, limits={"mail_max_mb": "1", "inflight_max_mb": "1"})))
    a, _ = raw_session(srv)
    b, _ = raw_session(srv)
    try:
        a.send(b"MAIL FROM:<a@example.org> SIZE=900000\r\n"
               b"RCPT TO:<tips@localhost>\r\nDATA\r\n")
        assert [a.code() for _ in range(3)] == [250, 250, 354]
        b.send(b"MAIL FROM:<b@example.org> SIZE=400000\r\n"
               b"RCPT TO:<tips@localhost>\r\nDATA\r\n")
        assert [b.code() for _ in range(2)] == [250, 250]
        code, lines = b.reply()
        assert code == 451 and b"4.3.1" in lines[0], lines
        # The HTTP door shares the budget.
        resp = srv.request("POST", "/api/v1/mail", body=b"x" * 400000,
                           headers={"Content-Type": "message/rfc822"})
        assert resp.status == 503, resp
        a.send(plain_message("budget") + b".\r\n")
        assert a.code() == 250
        b.send(b"DATA\r\n")
        assert b.code() == 354
        b.send(plain_message("budget two") + b".\r\n")
        assert b.code() == 250
    finally:
        a.close()
        b.close()


def greeted(sock, timeout):
    """Whether a 220 greeting arrives on sock within timeout seconds."""
    sock.settimeout(timeout)
    try:
        return sock.recv(4).startswith(b"220")
    except socket.timeout:
        return False


def test_session_cap(start_server):
    """At most 256 sessions: the next connection waits in the backlog and
    is greeted as soon as a session ends."""
    srv = start_server(config=MAIL_CONFIG)
    socks = []
    try:
        for _ in range(256):
            socks.append(socket.create_connection((HOST, srv.lmtp_port),
                                                  timeout=10))
        for sock in socks:
            assert greeted(sock, 10)
        extra = socket.create_connection((HOST, srv.lmtp_port), timeout=10)
        socks.append(extra)
        assert not greeted(extra, 0.5), "a 257th session was started"
        socks[0].close()
        assert greeted(extra, 10), "not greeted after a session ended"
    finally:
        for sock in socks:
            sock.close()
    assert_alive(srv)


def test_out_of_descriptors(start_server):
    """EMFILE on accept: the server pauses accepting instead of failing
    or spinning, and serves again once descriptors are free."""
    import resource
    srv = start_server(config=MAIL_CONFIG)
    pid = srv.proc.pid
    used = len(os.listdir("/proc/%d/fd" % pid))
    old = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    socks = []
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (used + 8, old[1]))
        for _ in range(30):
            socks.append(socket.create_connection((HOST, srv.lmtp_port),
                                                  timeout=10))
        srv.wait_for_stderr(lambda lines: any(
            "lmtp: accept" in l and "pausing" in l for l in lines))
        assert srv.proc.poll() is None
    finally:
        for sock in socks:
            sock.close()
        resource.prlimit(pid, resource.RLIMIT_NOFILE, old)
    # Accepting resumes within the pause: a new session is greeted.
    deadline = time.monotonic() + 15
    while True:
        sock = socket.create_connection((HOST, srv.lmtp_port), timeout=10)
        try:
            if greeted(sock, 5):
                break
        finally:
            sock.close()
        assert time.monotonic() < deadline, "never accepting again"
    assert_alive(srv)


def test_sigterm_drains_pending_message(start_server):
    """SIGTERM while a message is with a worker: the session still gets
    its reply before the server exits 0; new commands get 421."""
    import signal
    srv = start_server(config=MAIL_CONFIG)
    r, _ = raw_session(srv)
    try:
        with DatabaseLock(srv.data_dir):
            r.send(b"MAIL FROM:<a@example.org>\r\n"
                   b"RCPT TO:<tips@localhost>\r\nDATA\r\n")
            assert [r.code() for _ in range(3)] == [250, 250, 354]
            # Whether the server is still reading the message or its
            # worker already waits for the lock, the drain waits for it.
            r.send(plain_message("drain") + b".\r\n")
            srv.proc.send_signal(signal.SIGTERM)
            srv.wait_for_stderr(lambda lines: any(
                "shutdown signal" in l for l in lines))
            code, lines = r.reply()
        assert code in (451, 452), lines
        try:
            r.send(b"NOOP\r\n")
            code, lines = r.reply()
            assert code == 421, lines
        except (EOFError, OSError):
            pass                # already gone: the drain ended first
    finally:
        r.close()
    assert srv.stop() == 0, srv.stderr_text()


# --------------------------------------------------------------------------
# POST /api/v1/mail

def test_http_mail(mail_server):
    import json
    msg = chinese_message("big5", "網關").as_bytes()
    before = tips(mail_server)
    r = mail_server.request("POST", "/api/v1/mail", body=msg, headers={
        "Content-Type": "message/rfc822",
        "X-Tipline-Recipient": "gaoping@localhost"})
    assert r.status == 201, r
    assert r.header("content-type").startswith("application/json")
    doc = json.loads(r.body)
    assert doc["status"] == "received" and doc["bureau"] == "140581"
    assert re.fullmatch(r"T-\d{4}-\d{6}", doc["id"]) and doc["received_at"]
    assert "receipt" not in doc
    assert tips(mail_server) == before + 1
    again = mail_server.request("POST", "/api/v1/mail", body=msg, headers={
        "Content-Type": "message/rfc822"})
    assert again.status == 200, again
    doc2 = json.loads(again.body)
    assert doc2["duplicate"] is True and doc2["id"] == doc["id"]
    assert tips(mail_server) == before + 1


def test_http_mail_errors(mail_server):
    import json
    r = mail_server.request("POST", "/api/v1/mail", body=b"Subject: x\r\n\r\n"
                            b"y\r\n", headers={"Content-Type": "text/plain"})
    assert r.status == 415, r
    assert json.loads(r.body)["error"]["code"]
    r = mail_server.request("POST", "/api/v1/mail", body=b"",
                            headers={"Content-Type": "message/rfc822"})
    assert r.status == 400, r
    r = mail_server.raw(b"POST /api/v1/mail HTTP/1.1\r\nHost: x\r\n"
                        b"Content-Type: message/rfc822\r\n"
                        b"Content-Length: %d\r\n\r\n" % (MAIL_MAX + 1)
                        + b"x" * (MAIL_MAX + 1))
    assert r is not None and r.status == 413, r
    r = mail_server.request("GET", "/api/v1/mail")
    assert r.status == 405, r
    mail_server.assert_alive()


def test_http_mail_transient(mail_server):
    with DatabaseLock(mail_server.data_dir):
        r = mail_server.request("POST", "/api/v1/mail",
                                body=plain_message("http locked"),
                                headers={"Content-Type": "message/rfc822"},
                                timeout=60)
    assert r.status == 503, r
    assert r.header("retry-after"), r
