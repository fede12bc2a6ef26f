# SPDX-License-Identifier: MIT
"""End to end with a real MTA: a private, loopback-only Postfix instance
(its own config, queue and log in a temporary directory; no SMTP listener)
whose local transport is tipline's LMTP listener.  Messages are injected
with Postfix's sendmail and must arrive as tips; a transient fault makes
Postfix defer the message, and a queue flush after the fault delivers it.

Needs the Debian package postfix (scripts/setup installs it) and root (the
Postfix master runs as root).  Skipped, with the reason, only when Postfix
is absent or cannot start.
"""

import os
import shutil
import subprocess
import tempfile
import time
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formatdate, make_msgid

import pytest

from harness import DatabaseLock, db_count, db_query

POSTFIX = "/usr/sbin/postfix"
SENDMAIL = "/usr/sbin/sendmail"
POSTQUEUE = "/usr/sbin/postqueue"
DELIVERY_TIMEOUT = 60.0

CONFIG = {
    "mail": {"tip_addresses": "tips@localhost",
             "bureau_addresses": "140581:gaoping@localhost"},
}

MASTER_CF = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def run_quiet(cmd, timeout=30):
    """Run a Postfix command; Postfix prints its errors only to a terminal
    or its log, so the caller reads the log on failure."""
    return subprocess.run(cmd, capture_output=True, text=True,
                          errors="replace", timeout=timeout)


class Postfix:
    """A private Postfix instance under a directory of its own (mode 755:
    the postfix user must reach its queue; pytest's tmp_path is 700)."""

    def __init__(self, lmtp_port):
        self.started = False
        self.root = tempfile.mkdtemp(prefix="tipline-postfix-")
        try:
            self._configure(lmtp_port)
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _configure(self, lmtp_port):
        os.chmod(self.root, 0o755)
        self.etc = os.path.join(self.root, "etc")
        self.log = os.path.join(self.root, "maillog")
        os.makedirs(self.etc)
        os.makedirs(os.path.join(self.root, "queue"))
        lib = os.path.join(self.root, "lib")
        os.makedirs(lib)
        shutil.chown(lib, user="postfix")
        main_cf = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(self.root, "queue"),
            "data_directory": lib,
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "postfix-test.tipline.invalid",
            "mydomain": "tipline.invalid",
            "myorigin": "$myhostname",
            "mydestination": "localhost",
            "inet_interfaces": "loopback-only",
            "inet_protocols": "ipv4",
            "local_transport": "lmtp:inet:127.0.0.1:%d" % lmtp_port,
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "maillog_file": self.log,
            "maillog_file_prefixes": self.root,
            "smtputf8_enable": "no",
            "biff": "no",
            # Retry deferred mail soon (the flush below forces it anyway).
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "queue_run_delay": "1s",
        }
        with open(os.path.join(self.etc, "main.cf"), "w") as f:
            for k, v in main_cf.items():
                f.write("%s = %s\n" % (k, v))
        with open(os.path.join(self.etc, "master.cf"), "w") as f:
            f.write(MASTER_CF)

    def log_text(self):
        try:
            with open(self.log, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def start(self):
        p = run_quiet([POSTFIX, "-c", self.etc, "start"])
        if p.returncode != 0:
            return "postfix start exited %d: %s %s %s" % (
                p.returncode, p.stdout, p.stderr, self.log_text())
        self.started = True
        # The master is up once it logged "daemon started".
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if "daemon started" in self.log_text():
                return None
            time.sleep(0.1)     # polling the log against the deadline
        return "postfix master did not start: %s" % self.log_text()

    def sendmail(self, msg_bytes, rcpts, sender="tipster@example.org"):
        p = subprocess.run([SENDMAIL, "-C", self.etc, "-i", "-f", sender]
                           + list(rcpts), input=msg_bytes,
                           capture_output=True, timeout=30)
        assert p.returncode == 0, (p.returncode, p.stderr, self.log_text())

    def flush(self):
        run_quiet([POSTQUEUE, "-c", self.etc, "-f"])

    def wait_log(self, needle, timeout=DELIVERY_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log_text()
            if needle in text:
                return text
            time.sleep(0.1)     # polling the log against the deadline
        pytest.fail("%r not in the Postfix log within %ss:\n%s"
                    % (needle, timeout, self.log_text()))

    def stop(self):
        if self.started:
            run_quiet([POSTFIX, "-c", self.etc, "stop"])
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def postfix_and_server(start_server):
    if not os.path.exists(POSTFIX) or not os.path.exists(SENDMAIL):
        pytest.skip("Postfix is not installed (Debian package postfix; "
                    "scripts/setup installs it)")
    if os.geteuid() != 0:
        pytest.skip("a private Postfix instance needs root to start")
    srv = start_server(config=CONFIG)
    pf = Postfix(srv.lmtp_port)
    why = pf.start()
    if why is not None:
        pf.stop()
        pytest.skip("Postfix cannot start: %s" % why)
    try:
        yield pf, srv
    finally:
        pf.stop()


def wait_tips(server, n, timeout=DELIVERY_TIMEOUT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if db_count(server.data_dir, "tips") >= n:
            return
        time.sleep(0.1)         # polling the database against the deadline
    pytest.fail("%d tips expected, %d stored" %
                (n, db_count(server.data_dir, "tips")))


def chinese_mail(subject, body, charset="gbk"):
    msg = MIMEText(body, "plain", charset)
    msg["Subject"] = Header(subject, charset)
    msg["From"] = "tipster@example.org"
    msg["To"] = "tips@localhost"
    msg["Date"] = formatdate()
    msg["Message-ID"] = make_msgid(domain="example.org")
    return msg.as_bytes()


def test_postfix_delivers_over_lmtp(postfix_and_server):
    pf, srv = postfix_and_server
    pf.sendmail(chinese_mail("经邮件服务器转来的举报", "正文。\n.以点开头的行\n"),
                ["tips@localhost"])
    log = pf.wait_log("status=sent (250 2.0.0 T-")
    assert "relay=127.0.0.1[127.0.0.1]:%d" % srv.lmtp_port in log
    wait_tips(srv, 1)
    assert db_query(srv.data_dir, "SELECT channel, bureau FROM tips") == \
        [("email", "140500")]

    # Several recipients, one of them unknown: one tip, routed by the
    # bureau address; the unknown one bounces (550 5.1.1).
    pf.sendmail(chinese_mail("两个收件人", "一份举报。"),
                ["tips@localhost", "gaoping@localhost", "nobody@localhost"])
    pf.wait_log("550 5.1.1")
    wait_tips(srv, 2)
    assert db_query(srv.data_dir, "SELECT bureau FROM tips ORDER BY id "
                    "DESC LIMIT 1") == [("140581",)]
    assert db_count(srv.data_dir, "tips") == 2
    srv.assert_alive()


def test_postfix_defers_then_delivers(postfix_and_server):
    """A transient fault: tipline answers 4xx, Postfix keeps the message;
    when the fault is gone the queued message is stored (nothing lost)."""
    pf, srv = postfix_and_server
    lock = DatabaseLock(srv.data_dir)
    try:
        pf.sendmail(chinese_mail("数据库忙时的举报", "稍后重试。"),
                    ["tips@localhost"])
        pf.wait_log("status=deferred")
        assert db_count(srv.data_dir, "tips") == 0
    finally:
        lock.release()
    pf.flush()
    pf.wait_log("status=sent (250 2.0.0 T-")
    wait_tips(srv, 1)
