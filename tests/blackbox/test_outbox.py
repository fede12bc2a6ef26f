# SPDX-License-Identifier: MIT
"""The acknowledgement outbox (issue 4): an e-mail tip from a sender who
did not ask to stay anonymous gets a mail back with the tip's reference,
its receipt code and the follow-up address, queued in the outbox in the
tip's own transaction and handed by the sender thread to the configured
sendmail command.

The sendmail here is a real executable the test writes (a shell script):
it records its arguments and its standard input to files, and exits as
the test says (0, a failure first and then success, or hanging).  The
acknowledgement is parsed with Python's email package; its receipt code
must open the tip at POST /api/v1/follow-up.  Neither the code nor the
sender's address may be found in plaintext under the data directory.
"""

import email
import email.policy
import json
import os
import re
import sqlite3
import stat
import time
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid

from harness import db_query, run_tipline
from test_lmtp import (assert_not_in_plaintext, deliver, tip_id)

SENDER = "zhang.san@example.org"
PUBLIC_URL = "https://tips.example.gov.cn"
WAIT = 20.0


def write_script(path, body):
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def recording_sendmail(tmp_path, exit_line=""):
    """A fake sendmail: each run appends its argv to args.log and writes
    its stdin to msg-<n>.eml in tmp_path/out."""
    out = tmp_path / "out"
    out.mkdir()
    script = write_script(tmp_path / "fake-sendmail", (
        'out="%s"\n'
        'n=$(ls "$out" | grep -c "^msg-" || true)\n'
        'echo "$@" >> "$out/args.log"\n'
        'cat > "$out/msg-$n.tmp"\n'
        '%s'
        'mv "$out/msg-$n.tmp" "$out/msg-$n.eml"\n'
        'exit 0\n') % (out, exit_line))
    return script, out


def outbox_config(command, retry="60"):
    return {
        "server": {"workers": "2", "public_url": PUBLIC_URL + "/"},
        "limits": {"mail_max_mb": "1"},
        "mail": {"tip_addresses": "tips@localhost",
                 "sendmail_command": command,
                 "outbox_retry_sec": retry},
    }


def tip_mail(subject="举报某检测公司出具虚假报告", body="该公司未检先出报告。",
             sender=SENDER):
    msg = MIMEText(body, "plain", "utf-8")
    msg["From"] = formataddr((str(Header("张三", "utf-8")), sender))
    msg["To"] = "tips@localhost"
    msg["Subject"] = Header(subject, "utf-8")
    msg["Message-ID"] = make_msgid(domain="example.org")
    msg["Date"] = formatdate()
    return msg


def wait_for(predicate, what, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def messages(out):
    return sorted(p for p in os.listdir(out) if p.endswith(".eml"))


def outbox_rows(server):
    return db_query(server.data_dir, "SELECT o.id, t.public_id, o.sent_at,"
                    " o.attempts, o.next_at, o.last_error FROM outbox o"
                    " JOIN tips t ON t.id = o.tip_id ORDER BY o.id")


def store(server, msg, sender=SENDER):
    rcpt, replies = deliver(server, msg, sender=sender)
    assert [r[0] for r in replies] == [250], (rcpt, replies)
    return tip_id(replies[0][1])


def test_ack_sent_and_receipt_works(start_server, tmp_path):
    script, out = recording_sendmail(tmp_path)
    server = start_server(config=outbox_config("%s -t -i" % script))
    public_id = store(server, tip_mail())

    wait_for(lambda: messages(out), "the acknowledgement")
    raw = (out / messages(out)[0]).read_bytes()
    assert (out / "args.log").read_text().split() == ["-t", "-i"]
    # 7-bit clean: every header and the body are encoded.
    assert max(raw) < 0x80
    ack = email.message_from_bytes(raw, policy=email.policy.default)
    assert ack["From"].addresses[0].addr_spec == "tips@localhost"
    assert ack["To"].addresses[0].addr_spec == SENDER
    assert public_id in str(ack["Subject"])
    assert "举报已收到" in str(ack["Subject"])
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["Message-ID"] and ack["Date"]
    assert ack.get_content_type() == "text/plain"
    assert ack.get_content_charset() == "utf-8"
    text = ack.get_content()
    assert text.index("举报编号：" + public_id) < text.index(
        "Reference: " + public_id), "Chinese first, English below"
    code = re.search(r"查询码：(\d{16})", text).group(1)
    assert "Receipt code: " + code in text
    assert text.count(PUBLIC_URL + "/follow-up\n") == 2

    r = server.request("POST", "/api/v1/follow-up",
                       body=json.dumps({"receipt": code}).encode(),
                       headers={"Content-Type": "application/json"})
    assert r.status == 200, r.body
    assert json.loads(r.body)["id"] == public_id

    rows = wait_for(lambda: [x for x in outbox_rows(server) if x[2]],
                    "sent_at")
    assert rows[0][1] == public_id and rows[0][3] == 0 and rows[0][5] is None
    assert_not_in_plaintext(server.data_dir, [
        code.encode(), SENDER.encode(), b"zhang.san"])
    res = run_tipline("verify", "--data", server.data_dir,
                      "--config", server.config_path)
    assert res.returncode == 0, res.stdout + res.stderr
    server.assert_alive()


def test_no_ack_for_anonymous_or_robots(start_server, tmp_path):
    script, out = recording_sendmail(tmp_path)
    server = start_server(config=outbox_config(str(script)))
    store(server, tip_mail(subject="匿名举报：某检测公司数据造假"))
    store(server, tip_mail(body="I want to stay anonymous. 报告造假。"))
    store(server, tip_mail(sender="MAILER-DAEMON@example.org"),
          sender="")
    store(server, tip_mail(sender="tips@localhost"))
    assert db_query(server.data_dir, "SELECT count(*) FROM tips")[0][0] == 4
    assert outbox_rows(server) == []
    # A named sender's tip after them is acknowledged: the sender runs.
    public_id = store(server, tip_mail())
    wait_for(lambda: messages(out), "the acknowledgement")
    assert len(messages(out)) == 1
    assert [r[1] for r in outbox_rows(server)] == [public_id]


def test_without_command_the_outbox_holds(start_server):
    server = start_server(config=outbox_config(""))
    public_id = store(server, tip_mail())
    rows = outbox_rows(server)
    assert len(rows) == 1 and rows[0][1] == public_id
    assert rows[0][2] is None and rows[0][3] == 0
    time.sleep(1.5)      # a sender would have run by now (1 s poll)
    assert outbox_rows(server)[0][2] is None
    assert "outbox sender started" not in server.stderr_text()


def test_retry_after_failure(start_server, tmp_path):
    # Fails (exit 75) on its first run, succeeds on the second.
    script, out = recording_sendmail(tmp_path, exit_line=(
        'if [ ! -e "$out/failed-once" ]; then touch "$out/failed-once"; '
        'rm -f "$out/msg-$n.tmp"; exit 75; fi\n'))
    server = start_server(config=outbox_config(str(script), retry="1"))
    public_id = store(server, tip_mail())

    wait_for(lambda: (out / "failed-once").exists(), "the first attempt")
    rows = wait_for(lambda: [r for r in outbox_rows(server) if r[3] == 1],
                    "the failed attempt recorded")
    assert rows[0][2] is not None or "status 75" in rows[0][5]
    wait_for(lambda: messages(out), "the second attempt", timeout=30)
    row = wait_for(lambda: [r for r in outbox_rows(server) if r[2]],
                   "sent_at")[0]
    assert row[1] == public_id and row[3] == 1
    assert len(messages(out)) == 1
    assert "sendmail exited with status 75" in server.stderr_text()
    assert SENDER not in server.stderr_text()
    assert public_id in (out / messages(out)[0]).read_text()


def test_hanging_sendmail_does_not_delay_lmtp(start_server, tmp_path):
    started = tmp_path / "started"
    script = write_script(tmp_path / "hang", (
        'cat > /dev/null\necho $$ > "%s.tmp"\nmv "%s.tmp" "%s"\n'
        'exec sleep 600\n') % (started, started, started))
    config = outbox_config(str(script))
    # One worker: a sender that took a pool thread would hold up intake.
    config["server"]["workers"] = "1"
    server = start_server(config=config)
    t0 = time.monotonic()
    store(server, tip_mail())
    first = time.monotonic() - t0
    wait_for(started.exists, "sendmail to start")
    times = []
    for i in range(3):
        t0 = time.monotonic()
        store(server, tip_mail(body="第%d条举报。" % i))
        times.append(time.monotonic() - t0)
    assert max(times) < 5.0, times
    assert first < 5.0
    rows = outbox_rows(server)
    assert len(rows) == 4 and all(r[2] is None for r in rows)
    server.assert_alive()
    # SIGTERM with sendmail still hanging: serve exits 0 at once, the
    # hanging command is killed and its run counted as a failed attempt.
    pid = int(started.read_text())
    t0 = time.monotonic()
    assert server.stop() == 0
    assert time.monotonic() - t0 < 5.0
    try:
        os.kill(pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive, "sendmail (sleep) survived serve"
    first = outbox_rows(server)[0]
    assert first[2] is None and first[3] == 1, first
    assert "stopped before sendmail finished" in first[5], first


def test_sealed_rows_are_bound_to_their_row(start_server):
    """Each outbox value opens only in its own row: swapping two rows'
    messages is found by `tipline verify`."""
    server = start_server(config=outbox_config(""))
    store(server, tip_mail())
    store(server, tip_mail(body="另一条举报。"))
    assert len(outbox_rows(server)) == 2
    res = run_tipline("verify", "--data", server.data_dir,
                      "--config", server.config_path)
    assert res.returncode == 0, res.stdout + res.stderr
    server.stop()
    conn = sqlite3.connect(os.path.join(server.data_dir, "tipline.db"))
    a, b = conn.execute("SELECT body_sealed FROM outbox ORDER BY id")
    conn.execute("UPDATE outbox SET body_sealed = ? WHERE id = 1", b)
    conn.execute("UPDATE outbox SET body_sealed = ? WHERE id = 2", a)
    conn.commit()
    conn.close()
    res = run_tipline("verify", "--data", server.data_dir,
                      "--config", server.config_path)
    assert res.returncode == 1, res.stdout + res.stderr
    out = res.stdout + res.stderr
    assert out.count("outbox") == 2 and "body does not open" in out, out
