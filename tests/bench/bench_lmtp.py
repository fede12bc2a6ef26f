#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""LMTP intake benchmark (scripts/bench runs it; not a test).

Starts `tipline serve` on 127.0.0.1 with a fresh data directory under the
work directory given, and measures in one run of one binary, for two
messages built with Python's email package:

  text5k     a 5 KiB Chinese text message (UTF-8, base64)
  pdf5m      a 5 MiB message: a short text and a PDF attachment (base64)

  lmtp_msgs_s        messages stored per second over LMTP (smtplib.LMTP),
                     CLIENTS connections at once, each message a new tip
                     (its own Message-ID), each counted only on its
                     "250 ... stored" after the final dot (the tip durable)
  gmime_parse_msgs_s GMime's parse-only rate for the same bytes, and
  mail_parse_msgs_s  our whole parse (mail_parse()) without storing, both
                     from bench_mime (tests/bench/bench_mime.c) in the same
                     run; ratio = lmtp / mail_parse

Every loop is bounded in count and talks to 127.0.0.1 only.

    bench_lmtp.py TIPLINE_BIN BENCH_MIME_BIN WORKDIR [--quick]
"""

import os
import smtplib
import subprocess
import sys
import threading
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate

from bench_http import run_clients, start_server

HOST = "127.0.0.1"
CLIENTS = 4
KIB = 1024
MIB = 1024 * 1024


def chinese_text(size):
    line = "举报晋城市某检测有限公司出具虚假检验检测报告，请依法查处。\n"
    text = line * (size // len(line.encode()) + 1)
    while len(text.encode()) > size:
        text = text[:-1]
    return text


def fake_pdf(size):
    """size bytes that libmagic calls application/pdf."""
    head = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
            + b"3 0 obj << /Length %d >> stream\n" % size)
    tail = b"\nendstream endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    body = os.urandom(size - len(head) - len(tail))
    return head + body + tail


def headers(msg, subject):
    msg["From"] = formataddr((str(Header("张三", "utf-8")),
                              "zhangsan@example.org"))
    msg["To"] = "tips@localhost"
    msg["Subject"] = Header(subject, "utf-8")
    msg["Date"] = formatdate()
    msg["Message-ID"] = "<bench-XXXXXXXXXXXX@example.org>"
    return msg


def text_message():
    """A Chinese text message of at most 5 KiB (base64 grows the text)."""
    for size in range(5 * KIB, 0, -32):
        msg = headers(MIMEText(chinese_text(size), "plain", "utf-8"),
                      "举报某检测公司出具虚假报告")
        data = msg.as_bytes().replace(b"\n", b"\r\n")
        if len(data) <= 5 * KIB:
            return data
    raise AssertionError("no 5 KiB message")


def build_messages():
    """{name: bytes} with a Message-ID placeholder to make each unique."""
    big = headers(MIMEMultipart(), "举报材料：检测报告（PDF）")
    big.attach(MIMEText("附件是该公司出具的检测报告。", "plain", "utf-8"))
    # Base64 lines of 76 characters and CRLF carry 57 bytes: a PDF of
    # 57/78 of 5 MiB (less room for the headers) fills the message.
    pdf = MIMEApplication(fake_pdf((5 * MIB - 2 * KIB) * 57 // 78), "pdf")
    pdf.add_header("Content-Disposition", "attachment",
                   filename=("utf-8", "", "检测报告.pdf"))
    big.attach(pdf)
    return {"text5k": text_message(),
            "pdf5m": big.as_bytes().replace(b"\n", b"\r\n")}


def unique(data, k):
    return data.replace(b"XXXXXXXXXXXX", b"%012d" % k, 1)


def lmtp_rate(port, data, count):
    """(messages stored, seconds): count messages over CLIENTS
    connections, one kept open per client thread."""
    local = threading.local()

    def send(k):
        if getattr(local, "conn", None) is None:
            local.conn = smtplib.LMTP(HOST, port, timeout=300)
            local.conn.ehlo("bench.example.org")
        local.conn.mail("zhangsan@example.org")
        local.conn.rcpt("tips@localhost")
        code, text = local.conn.data(unique(data, k))
        return 201 if code == 250 and b"stored" in text else code
    return run_clients(CLIENTS, count // CLIENTS, send)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quick = "--quick" in sys.argv
    if len(args) != 3:
        sys.exit(__doc__)
    binary, bench_mime, workdir = args
    msgs = build_messages()
    files = []
    for name, data in msgs.items():
        path = os.path.join(workdir, name + ".eml")
        with open(path, "wb") as f:
            f.write(unique(data, 0))
        files.append(path)
    plan = {"text5k": 2000 if not quick else 200,
            "pdf5m": 60 if not quick else 8}
    proc, _ = start_server(binary, workdir,
                           "[mail]\ntip_addresses = tips@localhost\n")
    port = proc.lmtp_port
    rates = {}
    try:
        for name, data in msgs.items():
            n, dt = lmtp_rate(port, data, plan[name])
            rates[name] = (n, dt, len(data))
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    out = subprocess.run([bench_mime] + files, capture_output=True,
                         text=True, check=True).stdout
    parse = {}
    for line in out.splitlines():
        kv = dict(x.split("=", 1) for x in line.split())
        parse[kv["message"].rsplit(".", 1)[0]] = kv
    for name, (n, dt, size) in rates.items():
        rate = n / dt if dt > 0 else 0.0
        p = parse[name]
        print("lmtp message=%s bytes=%d clients=%d stored=%d "
              "lmtp_msgs_s=%.1f gmime_parse_msgs_s=%s mail_parse_msgs_s=%s "
              "ratio=%.3f" % (name, size, CLIENTS, n, rate,
                              p["gmime_parse_msgs_s"],
                              p["mail_parse_msgs_s"],
                              rate / float(p["mail_parse_msgs_s"])))


if __name__ == "__main__":
    main()
