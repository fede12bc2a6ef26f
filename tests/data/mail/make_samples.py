# SPDX-License-Identifier: MIT
"""Generate the sample messages of tests/data/mail/ (and the fuzz seeds).

Run as: /usr/bin/python3 tests/data/mail/make_samples.py

Each sample is a message as Chinese mail clients send them (Foxmail, QQ
Mail, NetEase, Outlook), built with Python's email package in the charset
it names, with Chinese subject, body and attachment names.  Where a client
writes something the package will not (raw 8-bit headers, a GBK text
labelled GB2312, RFC 2231 continuations, an RFC 2047 word inside a quoted
file name), the header is written by hand, as those clients do.  The output
is deterministic (fixed dates, Message-IDs, boundaries, random seed), so
the committed .eml files only change when this script does.  The C tests
(tests/unit/test_mail_parse.c) read the committed files, not this script;
the expected strings are written out there.

Files are written with CRLF line ends, as they arrive over LMTP.  The same
files are copied into tests/fuzz/corpus/mail_parse/ as seeds.
"""

import base64
import os
import quopri
import random
import shutil
import urllib.parse
from email import encoders
from email.charset import BASE64, QP, Charset
from email.generator import BytesGenerator
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from io import BytesIO

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "fuzz", "corpus", "mail_parse")

DATE = "Tue, 15 Nov 2022 09:30:00 +0800"
# A tiny valid PNG (1x1) and PDF, so that libmagic agrees with the name.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
       b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
       b"trailer<</Root 1 0 R>>\n%%EOF\n")


def b_word(text, charset, encoding=None):
    """One RFC 2047 B encoded word of text in charset (bytes: as is)."""
    raw = text if isinstance(text, bytes) else text.encode(encoding or charset)
    return "=?%s?B?%s?=" % (charset, base64.b64encode(raw).decode("ascii"))


def q_word(text, charset):
    """One RFC 2047 Q encoded word (section 4.2)."""
    out = []
    for byte in text.encode(charset):
        c = chr(byte)
        if c.isalnum() and byte < 0x80:
            out.append(c)
        elif c == " ":
            out.append("_")
        else:
            out.append("=%02X" % byte)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def rfc2231(param, text, charset, pieces):
    """param*0*=charset''...; param*1*=... in `pieces` continuations."""
    enc = urllib.parse.quote(text.encode(charset), safe="")
    # Cut on %XX boundaries only (RFC 2231, section 4.1).
    tokens = []
    i = 0
    while i < len(enc):
        if enc[i] == "%":
            tokens.append(enc[i:i + 3])
            i += 3
        else:
            tokens.append(enc[i])
            i += 1
    size = -(-len(tokens) // pieces)
    parts = ["".join(tokens[k:k + size]) for k in range(0, len(tokens), size)]
    out = []
    for n, p in enumerate(parts):
        prefix = "%s''" % charset if n == 0 else ""
        out.append("%s*%d*=%s%s" % (param, n, prefix, p))
    return ";\r\n\t".join(out)


def text_part(body, charset, cte, subtype="plain", encoding=None):
    """A text part whose bytes are body encoded with `encoding` (default:
    charset) but labelled charset, with the given transfer encoding."""
    part = MIMEBase("text", subtype)
    part.set_param("charset", charset)
    raw = body.encode(encoding or charset)
    if cte == "base64":
        part.set_payload(raw)
        encoders.encode_base64(part)
    elif cte == "quoted-printable":
        part.set_payload(quopri.encodestring(raw).decode("ascii"))
        part["Content-Transfer-Encoding"] = "quoted-printable"
    else:
        part.set_payload(raw.decode("ascii", "surrogateescape"))
        part["Content-Transfer-Encoding"] = "8bit"
    return part


def finish(msg, msgid, subject_raw=None, from_raw=None):
    """Common headers; raw (already encoded) Subject and From if given."""
    if from_raw is not None:
        msg["From"] = from_raw
    msg["To"] = "tips@localhost"
    if subject_raw is not None:
        msg["Subject"] = subject_raw
    msg["Date"] = DATE
    msg["Message-ID"] = "<%s>" % msgid
    # The package writes MIME-Version into every part; clients do not.
    for part in msg.walk():
        del part["MIME-Version"]
    msg["MIME-Version"] = "1.0"
    return msg


def to_bytes(msg):
    buf = BytesIO()
    BytesGenerator(buf, mangle_from_=False, policy=compat32.clone(
        linesep="\r\n", max_line_length=0)).flatten(msg)
    return buf.getvalue()


def reorder(msg):
    """Move the envelope headers first, as clients write them."""
    order = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version"]
    items = msg._headers
    first = [h for name in order for h in items if h[0] == name]
    rest = [h for h in items if h[0] not in order]
    msg._headers = first + rest
    return msg


def sample_gb2312():
    """Outlook-style plain text labelled GB2312, holding a GBK-only name
    (王堃): readers must use GB18030, a superset."""
    msg = MIMEMultipart("mixed", boundary="----=_NextPart_000_0001_gb2312")
    body = ("您好：\n\n我要举报晋城市某检测有限公司出具虚假检验报告。"
            "联系人：王堃。\n\n此致\n")
    msg.attach(text_part(body, "gb2312", "base64", encoding="gbk"))
    att = MIMEApplication(PDF, "pdf")
    name = b_word("检测报告.pdf", "gb2312")
    att.add_header("Content-Disposition", "attachment")
    att.set_param("name", name)
    att.set_param("filename", name, header="Content-Disposition")
    msg.attach(att)
    return reorder(finish(msg, "gb2312.0001@example.cn",
                          b_word("举报某检测公司出具虚假报告", "gb2312"),
                          '"%s" <wangkun@example.cn>' %
                          b_word("王堃", "gb2312", encoding="gbk")))


def sample_gbk():
    """NetEase-style GBK: Q-encoded subject, quoted-printable body, an
    RFC 2231 file name in three continuations."""
    msg = MIMEMultipart("mixed", boundary="----=_Part_2_gbk")
    body = "检测机构：高平市某检测站\n问题：未检测即出具报告，签字人王喆。\n"
    msg.attach(text_part(body, "GBK", "quoted-printable"))
    att = MIMEApplication(PDF, "octet-stream")
    att["Content-Disposition"] = "attachment;\r\n\t" + rfc2231(
        "filename", "王喆的检测报告-2022年第三季度.pdf", "gbk", 3)
    msg.attach(att)
    return reorder(finish(msg, "gbk.0002@163.com",
                          q_word("关于高平市检测站的举报", "GBK"),
                          "%s <tipster@163.com>" % q_word("李明", "GBK")))


def sample_gb18030():
    """GB18030 with a four-byte character (𠮷, U+20BB7) everywhere."""
    msg = MIMEMultipart("mixed", boundary="gb18030-boundary-3")
    body = "𠮷野家检测中心出具的报告与实际不符。\n"
    msg.attach(text_part(body, "GB18030", "8bit"))
    att = MIMEImage(PNG, "png")
    att["Content-Disposition"] = ("attachment; filename*=gb18030''" +
                                  urllib.parse.quote("𠮷野家.png".encode(
                                      "gb18030"), safe=""))
    msg.attach(att)
    return reorder(finish(msg, "gb18030.0003@example.cn",
                          b_word("𠮷野家检测中心的问题", "GB18030"),
                          "%s <ji@example.cn>" % b_word("𠮷先生", "GB18030")))


def sample_big5():
    """Big5 (Traditional): B subject, Q sender name, quoted-printable body,
    RFC 2231 continuations in Big5."""
    msg = MIMEMultipart("mixed", boundary="big5-boundary-4")
    body = "我是檢舉人，這是一個出具不實報告的檢驗機構。\n"
    msg.attach(text_part(body, "big5", "quoted-printable"))
    att = MIMEApplication(PDF, "pdf")
    att["Content-Disposition"] = "attachment;\r\n\t" + rfc2231(
        "filename", "檢驗報告影本.pdf", "big5", 2)
    msg.attach(att)
    return reorder(finish(msg, "big5.0004@example.tw",
                          b_word("檢舉檢驗機構出具不實報告", "big5"),
                          "%s <chen@example.tw>" % q_word("陳大文", "big5")))


def sample_utf8():
    """UTF-8: Q subject, 8-bit body, RFC 2231 continuations; a second text
    part with a file name is an attachment, not body text."""
    msg = MIMEMultipart("mixed", boundary="utf8-boundary-5")
    body = "举报内容：检验检测机构出具虚假报告 ✓\n第二行 😀\n"
    msg.attach(text_part(body, "utf-8", "8bit"))
    att = MIMEApplication(PDF, "pdf")
    att["Content-Disposition"] = "attachment;\r\n\t" + rfc2231(
        "filename", "证据材料（第一批）说明.pdf", "utf-8", 3)
    msg.attach(att)
    note = text_part("附件说明：共三页。\n", "utf-8", "base64")
    note["Content-Disposition"] = "attachment; filename*=utf-8''" + \
        urllib.parse.quote("说明.txt")
    msg.attach(note)
    return reorder(finish(msg, "utf8.0005@example.org",
                          q_word("举报：检验检测机构 — 虚假报告", "utf-8"),
                          "=?utf-8?B?%s?= <zhao@example.org>" %
                          base64.b64encode("赵六".encode()).decode()))


def sample_foxmail():
    """Foxmail 7: GBK labelled GB2312, base64 bodies in an alternative,
    an RFC 2047 word inside the quoted file name (not RFC 2231)."""
    msg = MIMEMultipart("mixed", boundary="----=_001_NextPart123_=----")
    alt = MIMEMultipart("alternative", boundary="----=_002_NextPart456_=----")
    plain = "泽州县某检测公司报告造假，涉及王堃签字。\n"
    html = ("<html><head><meta http-equiv=\"Content-Type\" content=\"text/"
            "html; charset=GB2312\"><style>body{font-size:10.5pt}</style>"
            "</head><body><div>泽州县某检测公司报告造假，涉及王堃签字。</div>"
            "</body></html>")
    alt.attach(text_part(plain, "GB2312", "base64", encoding="gbk"))
    alt.attach(text_part(html, "GB2312", "base64", "html", encoding="gbk"))
    msg.attach(alt)
    att = MIMEApplication(PDF, "octet-stream")
    name = b_word("整改通知书.pdf", "GBK")
    att.replace_header("Content-Type",
                       'application/octet-stream;\r\n\tname="%s"' % name)
    att["Content-Disposition"] = 'attachment;\r\n\tfilename="%s"' % name
    msg.attach(att)
    msg["X-Mailer"] = "Foxmail 7.2.23.121[cn]"
    return reorder(finish(msg, "202211150930001234567@foxmail.com",
                          b_word("泽州县检测公司报告造假", "GB2312",
                                 encoding="gbk"),
                          '"%s" <12345678@qq.com>' %
                          b_word("匿名群众", "GB2312")))


def sample_qqmail_html():
    """QQ Mail: HTML only (GB18030, base64), with style, script, entities
    and the <div><br></div> line breaks QQ Mail writes."""
    html = ("<html><head><meta charset=\"gb18030\"><title>标题不要</title>"
            "<style>.x{color:red}</style></head><body>"
            "<div>您好&nbsp;&nbsp;领导：</div><div><br></div>"
            "<div>阳城县某检测站&amp;其分站，出具&lt;虚假&gt;报告&#20013;&#x6587;。"
            "</div><script>alert('x')</script>"
            "<p>证据如下：</p><ul><li>报告一</li><li>报告二</li></ul>"
            "<div>联系电话&#xFF1A;13800000000<br>谢谢</div>"
            "<!-- 注释不要 --></body></html>")
    msg = text_part(html, "gb18030", "base64", "html")
    msg["X-QQ-mid"] = "bizesmtp123t1668475800t1234abcd"
    msg["X-QQ-SSF"] = "00000000000000F0"
    return reorder(finish(msg, "tencent_0123456789ABCDEF@qq.com",
                          b_word("阳城县检测站问题", "gb18030"),
                          "\"%s\" <87654321@qq.com>" %
                          b_word("群众", "gb18030")))


def sample_outlook_related():
    """Outlook 16: mixed(related(alternative(plain, html), inline image),
    PDF attachment), GB2312 base64 plain, quoted-printable HTML."""
    msg = MIMEMultipart("mixed", boundary="_004_outlook_mixed_")
    rel = MIMEMultipart("related", boundary="_003_outlook_related_",
                        type="multipart/alternative")
    alt = MIMEMultipart("alternative", boundary="_000_outlook_alt_")
    plain = "陵川县某检测公司的报告见截图。\n\n[cid:image001.png@01D8F8A1.12345670]\n"
    html = ("<html><body><p class=MsoNormal>陵川县某检测公司的报告见截图。"
            "<o:p></o:p></p><p><img src=\"cid:image001.png@01D8F8A1.12345670\">"
            "</p></body></html>")
    alt.attach(text_part(plain, "gb2312", "base64"))
    alt.attach(text_part(html, "gb2312", "quoted-printable", "html"))
    rel.attach(alt)
    img = MIMEImage(PNG, "png", name="image001.png")
    img["Content-Description"] = "image001.png"
    img["Content-Disposition"] = 'inline; filename="image001.png"; size=68'
    img["Content-ID"] = "<image001.png@01D8F8A1.12345670>"
    rel.attach(img)
    msg.attach(rel)
    att = MIMEApplication(PDF, "pdf")
    name = b_word("整改通知书.pdf", "gb2312")
    att.set_param("name", name)
    att["Content-Disposition"] = 'attachment; filename="%s"' % name
    msg.attach(att)
    msg["X-Mailer"] = "Microsoft Outlook 16.0"
    return reorder(finish(msg, "000001d8f8a1$12345670$abcdef00@example.gov.cn",
                          b_word("陵川县检测公司报告截图", "gb2312"),
                          "%s <liu@example.gov.cn>" % b_word("刘洋", "gb2312")))


def sample_attached_eml():
    """A forwarded complaint as an attached message (message/rfc822):
    kept whole as one .eml attachment; its own PDF is not a separate
    attachment and its text is not body text."""
    inner = MIMEMultipart("mixed", boundary="inner-boundary")
    inner.attach(text_part("原始举报：某检测公司未检先出报告。\n", "utf-8",
                           "base64"))
    pdf = MIMEApplication(PDF, "pdf")
    pdf.add_header("Content-Disposition", "attachment",
                   filename=("utf-8", "", "原始报告.pdf"))
    inner.attach(pdf)
    reorder(finish(inner, "inner.0009@example.org",
                   b_word("原始举报材料", "utf-8"), "a@example.org"))
    msg = MIMEMultipart("mixed", boundary="outer-boundary")
    msg.attach(text_part("转发一份举报，请查收。\n", "utf-8", "8bit"))
    msg.attach(MIMEMessage(inner))
    reorder(finish(msg, "outer.0009@example.org",
                   b_word("转发：原始举报材料", "utf-8"), "b@example.org"))
    inner["MIME-Version"] = "1.0"
    return msg


def sample_raw8bit_gbk():
    """An old client's raw 8-bit GBK headers (no encoded words) and a text
    part without a charset parameter."""
    body = "沁水县某检测站出具虚假报告。\r\n".encode("gbk")
    head = ("From: " ).encode() + "张三".encode("gbk") + \
        b" <zhangsan@example.cn>\r\n" + \
        b"To: tips@localhost\r\n" + \
        b"Subject: " + "沁水县检测站虚假报告".encode("gbk") + b"\r\n" + \
        b"Date: " + DATE.encode() + b"\r\n" + \
        b"Message-ID: <raw8bit.0010@example.cn>\r\n" + \
        b"MIME-Version: 1.0\r\n" + \
        b"Content-Type: multipart/mixed; boundary=\"raw8\"\r\n\r\n"
    part1 = (b"--raw8\r\nContent-Type: text/plain\r\n"
             b"Content-Transfer-Encoding: 8bit\r\n\r\n" + body +
             b"\r\n--raw8\r\nContent-Type: application/pdf; name=\"" +
             "报告.pdf".encode("gbk") + b"\"\r\n"
             b"Content-Disposition: attachment; filename=\"" +
             "报告.pdf".encode("gbk") + b"\"\r\n"
             b"Content-Transfer-Encoding: base64\r\n\r\n" +
             base64.encodebytes(PDF).replace(b"\n", b"\r\n") +
             b"--raw8--\r\n")
    return head + part1


def sample_raw8bit_big5():
    """Raw 8-bit Big5 subject and body without any charset: read as Big5,
    because its GB18030 reading is full of kana and private-use
    characters."""
    return (b"From: tw@example.tw\r\nTo: tips@localhost\r\nSubject: " +
            "我是檢舉人，這是一個的報告".encode("big5") + b"\r\n"
            b"Date: " + DATE.encode() + b"\r\n"
            b"Message-ID: <raw8bit.0011@example.tw>\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\n" +
            "我是檢舉人，這是一個出具不實報告的檢驗機構。\n".encode("big5")
            .replace(b"\n", b"\r\n"))


def sample_anonymous():
    """The sender asks to stay anonymous in the subject."""
    msg = text_part("举报某检测站，请勿泄露我的信息。\n", "utf-8", "base64")
    return reorder(finish(msg, "anon.0012@example.org",
                          b_word("匿名举报：某检测站", "utf-8"),
                          "%s <someone@example.org>" % b_word("某人", "utf-8")))


def sample_exe():
    """An executable attachment: the mail is a tip, the file is left out."""
    msg = MIMEMultipart("mixed", boundary="exe-boundary")
    msg.attach(text_part("请看附件程序。\n", "utf-8", "8bit"))
    exe = MIMEApplication(b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
                          + b"\x00" * 48 + b"PE\x00\x00" + b"\x00" * 64,
                          "octet-stream")
    exe.add_header("Content-Disposition", "attachment", filename="setup.exe")
    msg.attach(exe)
    return reorder(finish(msg, "exe.0013@example.org", "Evidence program",
                          "exe@example.org"))


def sample_forged():
    """Headers a sender can forge: they must decide nothing."""
    msg = text_part("普通举报内容。\n", "utf-8", "8bit")
    msg["X-Priority"] = "1 (Highest)"
    msg["X-Tipline-Bureau"] = "140581"
    msg["X-Tipline-Status"] = "closed"
    return reorder(finish(msg, "forged.0014@example.org", "Forged headers",
                          "forger@example.org"))


def sample_no_headers():
    """No header block at all: GMime reads nothing."""
    return "这是一封没有邮件头的信。\r\n第二行。\r\n".encode("utf-8")


def sample_nested_deep():
    """100 nested multiparts: past the pre-scan's cap, headers only (the
    unit test builds the 10 000-deep one itself)."""
    out = [b"From: deep@example.org\r\nSubject: deep\r\n"
           b"Content-Type: multipart/mixed; boundary=\"b0\"\r\n\r\n"]
    for i in range(100):
        out.append(b"--b%d\r\nContent-Type: multipart/mixed; "
                   b"boundary=\"b%d\"\r\n\r\n" % (i, i + 1))
    out.append(b"--b100\r\n\r\ndeep\r\n--b100--\r\n")
    for i in range(99, -1, -1):
        out.append(b"--b%d--\r\n" % i)
    return b"".join(out)


def sample_garbage():
    """Binary garbage."""
    rnd = random.Random(20221115)
    return bytes(rnd.randrange(256) for _ in range(4096))


SAMPLES = {
    "gb2312.eml": sample_gb2312,
    "gbk.eml": sample_gbk,
    "gb18030.eml": sample_gb18030,
    "big5.eml": sample_big5,
    "utf8.eml": sample_utf8,
    "foxmail.eml": sample_foxmail,
    "qqmail_html.eml": sample_qqmail_html,
    "outlook_related.eml": sample_outlook_related,
    "attached_eml.eml": sample_attached_eml,
    "raw8bit_gbk.eml": sample_raw8bit_gbk,
    "raw8bit_big5.eml": sample_raw8bit_big5,
    "anonymous.eml": sample_anonymous,
    "exe_attachment.eml": sample_exe,
    "forged_headers.eml": sample_forged,
    "no_headers.eml": sample_no_headers,
    "nested_deep.eml": sample_nested_deep,
    "garbage.eml": sample_garbage,
}


def main():
    os.makedirs(CORPUS, exist_ok=True)
    for name, make in SAMPLES.items():
        out = make()
        data = out if isinstance(out, bytes) else to_bytes(out)
        path = os.path.join(HERE, name)
        with open(path, "wb") as f:
            f.write(data)
        shutil.copyfile(path, os.path.join(CORPUS, name))
        print("%s: %d bytes" % (name, len(data)))


if __name__ == "__main__":
    main()
