# SPDX-License-Identifier: MIT
"""Fault tests (issue 8): break things on purpose and check that what was
acknowledged is never lost, nothing half-stored stays behind, and every
fault gets a clear "try again later" or a clear refusal, never a silent
success.

  crash safety     web, JSON and LMTP clients submit concurrently while the
                   server is killed with SIGKILL at random moments and
                   restarted on the same data dir; afterwards every
                   acknowledged tip is there and readable, each LMTP message
                   is exactly one tip, blobs/tmp is empty, every blob file
                   has its row and every row its file, `tipline verify` is
                   clean.
  disk full        the data dir on a 4 MiB file system, filled up: HTTP 503
                   with Retry-After, LMTP 452 4.3.1, ingest-mail exit 75;
                   nothing partial; space freed, the next submission
                   works without a restart.
  read-only        serve on a read-only data dir refuses to start; a data
                   dir whose file system turns read-only under a running
                   server (ext4 after an error) gives retryable answers;
                   after fsck and a restart it works again.
  database locked  another process holds the write lock: 503 with
                   Retry-After within the busy timeout, no hang.
  master key       missing, a directory, truncated, or another key: serve
                   refuses to start, naming the key file, exit 1.
  slow clients     500 connections sending their heads a byte at a time do
                   not delay a real client past one second; connections over
                   the cap are answered 503 and closed; concurrent large
                   uploads stay within the in-flight budget (VmHWM) and the
                   excess gets 503; (soak only) a body at 1 byte/s is cut at
                   its deadline.

Small file systems: the tests mount a tmpfs (`mount -t tmpfs -o size=4m`),
or else a loop-mounted ext4 image; both need root (CI runs as root).
Unprivileged, run the module inside a user and mount namespace, where
mounting a tmpfs is allowed:

    unshare -rm env TIPLINE_BIN=build/tipline \\
        /usr/bin/python3 -m pytest tests/blackbox/test_faults.py

Where nothing can be mounted those tests skip, naming each reason.  A
read-only data dir at start is a read-only bind mount (root ignores file
modes); one that turns read-only while serving is a loop-mounted ext4 with
errors=remount-ro made to report an error (needs real root: no loop device
in a user namespace).

The CI variants are short; scripts/soak runs the long ones by setting
TIPLINE_SOAK=1 and the sizes below through the environment:

    TIPLINE_FAULT_KILLS      SIGKILLs in the crash test (20; soak 200)
    TIPLINE_FAULT_SLOW       slow-header connections (500)
    TIPLINE_FAULT_UPLOADS    concurrent uploads (20; soak 100)
    TIPLINE_FAULT_UPLOAD_MB  size of each (5; soak 20)
    TIPLINE_FAULT_INFLIGHT_MB  inflight_max_mb for them (32; soak 256)
    TIPLINE_FAULT_SEED       the crash test's random seed (random)

Each test prints its figures on a line starting "fault:" (pytest -s shows
them; scripts/soak collects them).
"""

import errno
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from harness import (HOST, DatabaseLock, Server, assert_no_sanitizer_report,
                     blob_files, child_env, db_count, db_query,
                     encode_multipart, finish_server, http_request,
                     make_png, merged_config, run_tipline, tip_mail,
                     tipline_bin, write_config)

SOAK = os.environ.get("TIPLINE_SOAK") == "1"
KILLS = int(os.environ.get("TIPLINE_FAULT_KILLS", "20"))
SLOW_CONNS = int(os.environ.get("TIPLINE_FAULT_SLOW", "500"))
UPLOADS = int(os.environ.get("TIPLINE_FAULT_UPLOADS", "20"))
UPLOAD_MB = int(os.environ.get("TIPLINE_FAULT_UPLOAD_MB", "5"))
INFLIGHT_MB = int(os.environ.get("TIPLINE_FAULT_INFLIGHT_MB", "32"))
# VmHWM growth allowed beyond the admitted bodies themselves, MiB.
GROWTH_ALLOWANCE_MIB = 16

TIP_ID_RE = re.compile(rb"T-\d{4}-\d{6}")
RECEIPT_RE = re.compile(rb'id="receipt">([0-9 ]{19})<')

CONFIG = {
    "limits": {"mail_max_mb": "1", "attachment_max_mb": "1",
               "tip_max_mb": "2", "submissions_per_hour": "0"},
    "mail": {"tip_addresses": "tips@localhost"},
}


def figure(text):
    """One line of figures for scripts/soak (and pytest -s)."""
    print("fault: " + text, flush=True)


# --------------------------------------------------------------------------
# Submissions through each door

def form_body(tag, png=True):
    files = [("attachments", "photo.png", "image/png", make_png(16, 16))] \
        if png else []
    return encode_multipart(
        [("summary", "fault test %s" % tag),
         ("details", "submitted by the fault test %s" % tag)], files)


def post_form(port, tag, timeout=15):
    ctype, body = form_body(tag)
    return http_request(port, "POST", "/tips", body=body,
                        headers={"Content-Type": ctype}, timeout=timeout)


def post_json(port, tag, timeout=15):
    body = json.dumps({"summary": "fault test %s" % tag,
                       "details": "submitted by the fault test %s" % tag})
    return http_request(port, "POST", "/api/v1/tips", body=body.encode(),
                        headers={"Content-Type": "application/json"},
                        timeout=timeout)


def mail_message(tag, png=False):
    """The bytes of one message with a fresh Message-ID."""
    return tip_mail(("附件是照片 %s" if png else "邮件举报 %s") % tag,
                    "故障测试 %s" % tag, domain="fault.example.org",
                    png=("photo.png", 16, 16) if png else None)


def lmtp_deliver(port, data, timeout=15):
    """One LMTP transaction; returns (code, text) of the DATA reply, or of
    the first command that was not accepted."""
    with smtplib.LMTP(HOST, port, timeout=timeout) as c:
        code, text = c.ehlo("client.example.org")
        if code != 250:
            return code, text
        code, text = c.mail("tipster@example.org")
        if code != 250:
            return code, text
        code, text = c.rcpt("tips@localhost")
        if code != 250:
            return code, text
        code, text = c.data(data)
        try:
            c.quit()
        except (OSError, smtplib.SMTPException):
            pass
        return code, text


def ingest_mail(data_dir, cfg, data, timeout=90):
    """`tipline ingest-mail` with data on stdin: (rc, stdout, stderr, s)."""
    t0 = time.monotonic()
    p = subprocess.run([tipline_bin(), "ingest-mail", "--data", str(data_dir),
                        "--config", str(cfg)], input=data,
                       capture_output=True, env=child_env(), timeout=timeout)
    err = p.stderr.decode("utf-8", "replace")
    assert_no_sanitizer_report(err, "ingest-mail")
    return (p.returncode, p.stdout.decode().strip(), err,
            time.monotonic() - t0)


def verify(data_dir, cfg):
    p = run_tipline("verify", "--data", data_dir, "--config", cfg,
                    timeout=300)
    assert p.returncode == 0 and "verify: ok" in p.stdout, \
        "verify failed:\n%s\n%s" % (p.stdout, p.stderr)


def tmp_files(data_dir):
    tmp = os.path.join(str(data_dir), "blobs", "tmp")
    return sorted(os.listdir(tmp)) if os.path.isdir(tmp) else []


def assert_blobs_match_rows(data_dir):
    """Every blob file is named by an attachments row and every row's file
    exists: no orphan survives, no row points nowhere."""
    files = {os.path.basename(p) for p in blob_files(data_dir)}
    rows = {r[0] for r in db_query(data_dir,
                                   "SELECT blob_name FROM attachments")}
    assert files == rows, "orphan blob files %s; rows without a file %s" % (
        sorted(files - rows)[:10], sorted(rows - files)[:10])
    return len(files)


def state(data_dir):
    """What a refused submission must leave unchanged."""
    return {"tips": db_count(data_dir, "tips"),
            "attachments": db_count(data_dir, "attachments"),
            "blobs": len(blob_files(data_dir)),
            "tmp": len(tmp_files(data_dir))}


def start(workdir, data_dir, cfg, env=None, preexec_fn=None):
    """A server on the given data dir and config (ports read back)."""
    os.makedirs(str(workdir), exist_ok=True)
    srv = Server(workdir, data_dir, cfg, env=env, preexec_fn=preexec_fn)
    try:
        srv.wait_ready()
    except BaseException:
        srv.kill()
        raise
    return srv


def vm_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


def is_asan(pid):
    with open("/proc/%d/maps" % pid) as f:
        return "libasan" in f.read()


# --------------------------------------------------------------------------
# Small and read-only file systems

def _run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    return p.returncode, (p.stderr or p.stdout).strip()


class SmallFs:
    """A file system of size_mb MiB mounted at path: a tmpfs, or else (or
    when kinds says so) a loop-mounted ext4 image; skips the test, naming
    each reason, when none can be mounted."""

    def __init__(self, path, size_mb=4, kinds=("tmpfs", "ext4")):
        self.path = str(path)
        os.makedirs(self.path, exist_ok=True)
        self.image = None
        self.device = None
        self.mounts = []
        reasons = []
        if "tmpfs" in kinds:
            rc, out = _run(["mount", "-t", "tmpfs", "-o",
                            "size=%dm,mode=0700" % size_mb, "tmpfs",
                            self.path])
            if rc == 0:
                self.how = "tmpfs"
                self.mounts.append(self.path)
                return
            reasons.append("mount -t tmpfs: %s" % out)
        if "ext4" in kinds and shutil.which("mkfs.ext4"):
            self.image = self.path + ".img"
            with open(self.image, "wb") as f:
                f.truncate(size_mb << 20)
            rc, out = _run(["mkfs.ext4", "-q", "-F", "-m", "0", self.image])
            if rc == 0:
                # errors=remount-ro: a disk error turns it read-only, as
                # on a production server (force_read_only()).
                rc, out = _run(["mount", "-o", "loop,errors=remount-ro",
                                self.image, self.path])
            if rc == 0:
                self.how = "loop ext4"
                self.mounts.append(self.path)
                self.device = subprocess.run(
                    ["findmnt", "-n", "-o", "SOURCE", self.path],
                    capture_output=True, text=True).stdout.strip()
                return
            reasons.append("loop-mounted ext4: %s" % out)
        elif "ext4" in kinds:
            reasons.append("loop-mounted ext4: no mkfs.ext4")
        hint = "as a user, run under `unshare -rm`" if "tmpfs" in kinds \
            else "a loop device needs root outside a user namespace"
        pytest.skip("no small file system can be mounted here (%s); %s"
                    % ("; ".join(reasons), hint))

    def force_read_only(self):
        """Make ext4 report an error (its sysfs trigger_fs_error, a test
        hook): with errors=remount-ro the kernel turns the whole file
        system read-only at once, open files included, as after a disk
        fault.  Only an unmount, fsck and mount bring it back."""
        name = os.path.basename(self.device or "")
        trigger = "/sys/fs/ext4/%s/trigger_fs_error" % name
        try:
            with open(trigger, "w") as f:
                f.write("tipline fault test")
        except OSError as exc:
            pytest.skip("cannot force %s read-only: %s" % (self.path, exc))
        assert self._is_ro(self.path) or "emergency_ro" in subprocess.run(
            ["findmnt", "-n", "-o", "OPTIONS", self.path],
            capture_output=True, text=True).stdout

    def repair(self):
        """Unmount, fsck and mount the ext4 image again."""
        self.unmount(self.path)
        rc, out = _run(["e2fsck", "-f", "-y", self.image])
        assert rc in (0, 1), "e2fsck: %s" % out    # 1: errors corrected
        rc, out = _run(["mount", "-o", "loop,errors=remount-ro", self.image,
                        self.path])
        assert rc == 0, out
        self.mounts.append(self.path)

    def bind_read_only(self, target):
        """Mount target over itself read-only (files already open for
        writing keep working; every new open or create sees EROFS)."""
        rc, out = _run(["mount", "--bind", "-o", "ro", target, target])
        if rc != 0:
            pytest.skip("read-only bind mount not permitted: %s" % out)
        # Older util-linux ignores ro on the first bind: remount it.
        if os.access(target, os.W_OK) and not self._is_ro(target):
            _run(["mount", "-o", "remount,bind,ro", target])
        assert self._is_ro(target), "bind mount of %s is not read-only" % (
            target)
        self.mounts.append(target)

    @staticmethod
    def _is_ro(path):
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)

    def unmount(self, target):
        rc, out = _run(["umount", target])
        assert rc == 0, "umount %s: %s" % (target, out)
        self.mounts.remove(target)

    def close(self):
        for target in reversed(list(self.mounts)):
            if _run(["umount", target])[0] != 0:
                _run(["umount", "-l", target])
            self.mounts.remove(target)
        if self.image:
            try:
                os.unlink(self.image)
            except OSError:
                pass


@pytest.fixture
def small_fs(tmp_path):
    fs = SmallFs(tmp_path / "small", 4)
    yield fs
    fs.close()


def fill(directory):
    """Fill the file system of directory to the last byte; returns the
    filler's path."""
    path = os.path.join(str(directory), "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for chunk in (1 << 20, 64 << 10, 4096, 512, 1):
            block = b"\0" * chunk
            while True:
                try:
                    if os.write(fd, block) < chunk:
                        break
                except OSError as exc:
                    if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
                        raise
                    break
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
    finally:
        os.close(fd)
    return path


def truncate_wal(data_dir):
    """Checkpoint the WAL into the database and truncate it to 0 bytes, so
    that the next commit must grow the file (else SQLite would reuse the
    space of an old WAL and a small commit could fit on a full disk)."""
    con = sqlite3.connect(os.path.join(str(data_dir), "tipline.db"),
                          timeout=10, isolation_level=None)
    try:
        busy, _, _ = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        con.close()
    assert busy == 0, "the WAL checkpoint was blocked"
    wal = os.path.join(str(data_dir), "tipline.db-wal")
    assert not os.path.exists(wal) or os.path.getsize(wal) == 0


# --------------------------------------------------------------------------
# Crash safety

class Door:
    """Where the current server listens; None while it is down.  Clients
    wait on it instead of sleeping."""

    def __init__(self):
        self.cond = threading.Condition()
        self.gen = 0
        self.http = None
        self.lmtp = None
        self.closed = False

    def publish(self, http, lmtp):
        with self.cond:
            self.gen += 1
            self.http, self.lmtp = http, lmtp
            self.cond.notify_all()

    def down(self):
        with self.cond:
            self.http = self.lmtp = None

    def close(self):
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def wait_up(self, timeout=300):
        """(gen, http, lmtp) of the live server; None once closed (or if
        none comes up within timeout)."""
        with self.cond:
            ok = self.cond.wait_for(
                lambda: self.closed or self.http is not None, timeout)
            if not ok or self.closed:
                return None
            return self.gen, self.http, self.lmtp

    def wait_change(self, gen, timeout):
        """Back off after a failure: until the server changes, or timeout
        (a bound, not a synchronisation)."""
        with self.cond:
            self.cond.wait_for(lambda: self.closed or self.gen != gen,
                               timeout)


class Ledger:
    """What the clients were told."""

    def __init__(self):
        self.lock = threading.Condition()
        self.web = {}       # tip id -> receipt (web form)
        self.api = {}       # tip id -> receipt (JSON API)
        self.mail = {}      # Message-ID -> [tip ids from every 250]
        self.mail_png = {}  # Message-ID -> whether it carries a PNG
        self.mail_sent = 0
        self.mail_resent = 0    # messages sent more than once
        self.attempts = 0
        self.interrupted = 0
        self.transient = 0
        self.unexpected = []
        self.acks = 0

    def ack(self, table, key, value):
        with self.lock:
            if table is self.mail:
                table.setdefault(key, []).append(value)
            else:
                table[key] = value
            self.acks += 1
            self.lock.notify_all()

    def count(self, what, item=None):
        with self.lock:
            if what == "unexpected":
                self.unexpected.append(item)
            else:
                setattr(self, what, getattr(self, what) + 1)


def web_client(door, ledger, kind, stop, seq):
    """Submit until stop: kind "form" (POST /tips with a PNG) or "api"
    (POST /api/v1/tips, JSON)."""
    n = 0
    while not stop.is_set():
        up = door.wait_up()
        if up is None:
            return
        gen, port, _ = up
        n += 1
        tag = "%s-%d-%d" % (kind, seq, n)
        ledger.count("attempts")
        try:
            r = post_form(port, tag) if kind == "form" else \
                post_json(port, tag)
        except (OSError, http.client.HTTPException):
            ledger.count("interrupted")
            door.wait_change(gen, 0.2)
            continue
        if r.status == 201:
            if kind == "form":
                m = TIP_ID_RE.search(r.body)
                rc = RECEIPT_RE.search(r.body)
                if not m or not rc:
                    ledger.count("unexpected", ("form 201 page", r))
                    continue
                ledger.ack(ledger.web, m.group(0).decode(),
                           rc.group(1).replace(b" ", b"").decode())
            else:
                doc = json.loads(r.body)
                ledger.ack(ledger.api, doc["id"], doc["receipt"])
        elif r.status == 503:
            ledger.count("transient")
            door.wait_change(gen, 0.2)
        else:
            ledger.count("unexpected", (kind, r))


def lmtp_client(door, ledger, stop, seq):
    """Deliver messages until stop, as an MTA does: a message that got no
    reply (or a 4xx) is sent again, the same bytes, until it gets a 250;
    the message in hand when stop comes is finished first."""
    n = 0
    while not stop.is_set():
        n += 1
        tag = "lmtp-%d-%d" % (seq, n)
        data = mail_message(tag, png=(n % 2 == 0))
        msgid = re.search(rb"Message-ID: (<[^>]+>)", data).group(1).decode()
        with ledger.lock:
            ledger.mail_sent += 1
            ledger.mail_png[msgid] = n % 2 == 0
        tries = 0
        while True:
            up = door.wait_up()
            if up is None:
                return
            gen, _, port = up
            ledger.count("attempts")
            tries += 1
            if tries == 2:
                ledger.count("mail_resent")
            try:
                code, text = lmtp_deliver(port, data)
            except (OSError, smtplib.SMTPException):
                ledger.count("interrupted")
                door.wait_change(gen, 0.2)
                continue
            if code == 250:
                m = TIP_ID_RE.search(text)
                if m:
                    ledger.ack(ledger.mail, msgid, m.group(0).decode())
                else:
                    ledger.count("unexpected", ("lmtp 250", text))
                break
            if 400 <= code < 500:
                ledger.count("transient")
                door.wait_change(gen, 0.2)
                continue
            ledger.count("unexpected", ("lmtp", code, text))
            break


def sweep_counts(server):
    """(tmp_removed, orphans_removed) from a server's start-up sweep."""
    for line in server.stderr_lines():
        m = re.search(r"sweep tmp_removed=(\d+) orphans_removed=(\d+)", line)
        if m:
            return int(m.group(1)), int(m.group(2))
    return 0, 0


def test_crash_safety_under_sigkill(tmp_path):
    seed = int(os.environ.get("TIPLINE_FAULT_SEED", random.randrange(1 << 30)))
    rnd = random.Random(seed)
    data = str(tmp_path / "data")
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config(CONFIG))
    door, ledger, stop = Door(), Ledger(), threading.Event()
    clients = [threading.Thread(target=web_client,
                                args=(door, ledger, kind, stop, i),
                                daemon=True)
               for i, kind in enumerate(("form", "api", "form", "api"))]
    clients += [threading.Thread(target=lmtp_client,
                                 args=(door, ledger, stop, i), daemon=True)
                for i in range(2)]
    swept = [0, 0]
    srv = None
    t0 = time.monotonic()
    try:
        for c in clients:
            c.start()
        for i in range(KILLS):
            srv = start(tmp_path / ("gen%d" % i), data, cfg)
            tmp_n, orph_n = sweep_counts(srv)
            swept[0] += tmp_n
            swept[1] += orph_n
            with ledger.lock:
                acks_before = ledger.acks
            door.publish(srv.port, srv.lmtp_port)
            # Let the clients get going (at least one acknowledgement on
            # this server), then kill at a random moment after it.
            with ledger.lock:
                ok = ledger.lock.wait_for(
                    lambda: ledger.acks > acks_before, 60)
            assert ok, "no submission acknowledged within 60 s of restart " \
                "%d (seed %d); stderr:\n%s" % (i, seed, srv.stderr_text())
            time.sleep(rnd.uniform(0.0, 0.4))     # the fault's timing
            door.down()
            srv.proc.send_signal(signal.SIGKILL)
            srv.kill()
            assert srv.returncode == -signal.SIGKILL, srv.returncode
            # A sanitizer report would be on the killed server's stderr.
            assert_no_sanitizer_report(srv.stderr_text(), "serve %d" % i)
        leftovers = len(tmp_files(data))
        # The last start: clients finish what they hold, then stop.
        srv = start(tmp_path / "final", data, cfg)
        tmp_n, orph_n = sweep_counts(srv)
        swept[0] += tmp_n
        swept[1] += orph_n
        door.publish(srv.port, srv.lmtp_port)
        with ledger.lock:
            acks_before = ledger.acks
            assert ledger.lock.wait_for(lambda: ledger.acks > acks_before,
                                        60), srv.stderr_text()
        stop.set()
        for c in clients:
            c.join(120)
            assert not c.is_alive(), "a client did not finish"
        door.close()
        elapsed = time.monotonic() - t0

        assert not ledger.unexpected, "unexpected answers (seed %d): %r" % (
            seed, ledger.unexpected[:5])
        # Every acknowledged receipt still opens its tip.
        for tip, receipt in list(ledger.web.items()) + list(ledger.api.items()):
            r = http_request(srv.port, "POST", "/api/v1/follow-up",
                             body=json.dumps({"receipt": receipt}).encode(),
                             headers={"Content-Type": "application/json"})
            assert r.status == 200, (tip, r)
            assert json.loads(r.body)["id"] == tip, (tip, r.body)
        finish_server(srv)
    finally:
        stop.set()
        door.close()
        if srv is not None and srv.returncode is None:
            srv.kill()

    stored = {r[0]: r[1] for r in db_query(
        data, "SELECT public_id, channel FROM tips")}
    for tip in ledger.web:
        assert stored.get(tip) == "web", (tip, stored.get(tip))
    for tip in ledger.api:
        assert stored.get(tip) == "api", (tip, stored.get(tip))
    # Each message is exactly one tip, whatever the resends.
    mail_ids = set()
    for msgid, ids in ledger.mail.items():
        assert len(set(ids)) == 1, "message %s became tips %s" % (msgid, ids)
        assert stored.get(ids[0]) == "email", (msgid, ids)
        mail_ids.add(ids[0])
    assert len(mail_ids) == len(ledger.mail) == ledger.mail_sent, \
        (len(mail_ids), len(ledger.mail), ledger.mail_sent)
    assert sum(1 for c in stored.values() if c == "email") == len(mail_ids)
    # No tip is half-visible, acknowledged or not (a kill can fall between
    # the commit and the reply): each has exactly the attachment rows its
    # submission carried.
    png_of = {ids[0]: ledger.mail_png[m] for m, ids in ledger.mail.items()}
    pieces = db_query(data, "SELECT t.public_id, t.channel,"
                      " count(a.id) - total(a.is_original_mail),"
                      " total(a.is_original_mail) FROM tips t"
                      " LEFT JOIN attachments a ON a.tip_id = t.id"
                      " GROUP BY t.id")
    for tip, channel, files, originals in pieces:
        want = {"web": (1, 0), "api": (0, 0)}.get(channel) or \
            (int(png_of[tip]), 1)
        assert (int(files), int(originals)) == want, (tip, channel, files,
                                                      originals)
    assert tmp_files(data) == [], tmp_files(data)
    nblobs = assert_blobs_match_rows(data)
    assert db_query(data, "PRAGMA integrity_check") == [("ok",)]
    verify(data, cfg)
    assert len(ledger.web) and len(ledger.api) and len(ledger.mail), \
        "a door got nothing through"
    # Kills cut LMTP transactions: some messages were sent again.
    assert ledger.mail_resent or KILLS < 10, "no LMTP resend (seed %d)" % seed
    figure("crash kills=%d seed=%d seconds=%.1f acked_web=%d acked_api=%d "
           "mail_messages=%d mail_resent=%d attempts=%d interrupted=%d "
           "transient=%d tips=%d blobs=%d swept_tmp=%d swept_orphans=%d "
           "tmp_left_before_final_start=%d"
           % (KILLS, seed, elapsed, len(ledger.web), len(ledger.api),
              len(ledger.mail), ledger.mail_resent, ledger.attempts,
              ledger.interrupted,
              ledger.transient, len(stored), nblobs, swept[0], swept[1],
              leftovers))


# --------------------------------------------------------------------------
# Disk full

def test_disk_full_then_freed(tmp_path, small_fs):
    data = os.path.join(small_fs.path, "data")
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config(CONFIG))
    srv = start(tmp_path / "srv", data, cfg)
    try:
        # The database, the WAL and the master key exist before the fill.
        assert post_form(srv.port, "warm-up").status == 201
        assert lmtp_deliver(srv.lmtp_port, mail_message("warm-up"))[0] == 250
        truncate_wal(data)
        before = state(data)
        filler = fill(small_fs.path)
        assert os.statvfs(small_fs.path).f_bavail == 0

        r = post_form(srv.port, "full", timeout=60)
        assert r.status == 503 and r.header("retry-after"), r
        r = post_json(srv.port, "full", timeout=60)
        assert r.status == 503 and r.header("retry-after"), r
        code, text = lmtp_deliver(srv.lmtp_port, mail_message("full", True),
                                  timeout=60)
        # The contract allows 451 4.3.0 or 452 4.3.1; a full disk is the
        # case RFC 3463 names 4.3.1 for.
        assert (code, text[:5]) == (452, b"4.3.1"), (code, text)
        lmtp_reply = "%d %s" % (code, text[:5].decode())
        rc, out, err, secs = ingest_mail(data, cfg, mail_message("full pipe"))
        assert rc == 75, (rc, out, err)
        assert state(data) == before, (state(data), before)
        srv.assert_alive()

        os.unlink(filler)
        verify(data, cfg)
        # Space again: the next submissions work, no restart.
        r = post_form(srv.port, "after")
        assert r.status == 201, r
        assert post_json(srv.port, "after").status == 201
        assert lmtp_deliver(srv.lmtp_port,
                            mail_message("after", True))[0] == 250
        rc, out, err, _ = ingest_mail(data, cfg, mail_message("after pipe"))
        assert rc == 0, (rc, err)
        assert state(data)["tips"] == before["tips"] + 4
        finish_server(srv)
    finally:
        if srv.returncode is None:
            srv.kill()
    assert tmp_files(data) == []
    assert_blobs_match_rows(data)
    verify(data, cfg)
    figure("disk_full fs=%s lmtp_reply='%s' ingest_mail_exit=75 "
           "ingest_mail_seconds=%.2f" % (small_fs.how, lmtp_reply, secs))


# --------------------------------------------------------------------------
# Read-only data dir, database locked, master key

def test_read_only_data_dir_refuses_to_start(tmp_path, small_fs):
    data = os.path.join(small_fs.path, "data")
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config(CONFIG))
    p = run_tipline("init", "--data", data, "--config", cfg)
    assert p.returncode == 0, p.stderr
    small_fs.bind_read_only(data)
    rc, stderr = serve_refusal(tmp_path, data, cfg)
    assert rc == 1, (rc, stderr)
    assert data in stderr and "Read-only file system" in stderr, stderr
    rc, out, err, _ = ingest_mail(data, cfg, mail_message("ro"))
    assert rc == 75, (rc, out, err)
    small_fs.unmount(data)
    srv = start(tmp_path / "srv", data, cfg)
    assert post_json(srv.port, "rw again").status == 201
    finish_server(srv)
    figure("read_only_start refusal=%r" % stderr.strip().splitlines()[-1])


def test_data_dir_turns_read_only_while_serving(tmp_path):
    """The data dir's file system turns read-only under a running server,
    open files included, as ext4 does after a disk error.  (A read-only
    bind mount would not do: the server works through descriptors opened
    on the writable mount.  `mount -o remount,ro` is refused while files
    are open for writing.)  Every submission gets a retryable answer,
    never a 201 or 250; the server stays up; after SIGTERM, fsck and a
    restart, what was acknowledged before is intact."""
    fs = SmallFs(tmp_path / "ext4", 16, kinds=("ext4",))
    srv = None
    try:
        data = os.path.join(fs.path, "data")
        cfg = write_config(str(tmp_path / "tipline.ini"),
                           merged_config(CONFIG))
        srv = start(tmp_path / "srv", data, cfg)
        r = post_form(srv.port, "before")
        assert r.status == 201, r
        acked = TIP_ID_RE.search(r.body).group(0).decode()
        fs.force_read_only()
        answers = []
        r = post_form(srv.port, "ro")
        assert r.status == 503 and r.header("retry-after"), r
        answers.append("form=%d" % r.status)
        r = post_json(srv.port, "ro")
        assert r.status == 503 and r.header("retry-after"), r
        answers.append("json=%d" % r.status)
        code, text = lmtp_deliver(srv.lmtp_port, mail_message("ro"))
        assert 400 <= code < 500, (code, text)
        answers.append("lmtp=%d" % code)
        rc, out, err, _ = ingest_mail(data, cfg, mail_message("ro pipe"))
        assert rc == 75, (rc, out, err)
        answers.append("ingest_mail=%d" % rc)
        srv.assert_alive()
        assert srv.stop() == 0, srv.stderr_text()
        fs.repair()
        srv = start(tmp_path / "srv2", data, cfg)
        assert db_query(data, "SELECT public_id FROM tips") == [(acked,)]
        assert post_form(srv.port, "repaired").status == 201
        finish_server(srv)
        assert tmp_files(data) == []
        assert_blobs_match_rows(data)
        verify(data, cfg)
    finally:
        if srv is not None and srv.returncode is None:
            srv.kill()
        fs.close()
    figure("read_only_runtime fs=%s %s" % (fs.how, " ".join(answers)))


def test_database_locked_503_within_busy_timeout(start_server):
    srv = start_server(config=CONFIG)
    results = {}

    def submit(kind):
        t0 = time.monotonic()
        r = post_form(srv.port, "locked", timeout=60) if kind == "form" \
            else post_json(srv.port, "locked", timeout=60)
        results[kind] = (r, time.monotonic() - t0)

    before = state(srv.data_dir)
    with DatabaseLock(srv.data_dir):
        threads = [threading.Thread(target=submit, args=(k,))
                   for k in ("form", "api")]
        for t in threads:
            t.start()
        # Meanwhile the loop answers at once: it never waits on the disk.
        t0 = time.monotonic()
        srv.assert_alive()
        health = time.monotonic() - t0
        for t in threads:
            t.join(60)
    for kind, (r, secs) in results.items():
        assert r.status == 503 and r.header("retry-after"), (kind, r)
        # The busy timeout is 5 s (storage/db.h), at most twice per tip.
        assert secs < 15, (kind, secs)
    assert health < 1.0, health
    assert state(srv.data_dir) == before
    assert post_form(srv.port, "unlocked").status == 201
    assert post_json(srv.port, "unlocked").status == 201
    figure("db_locked form=%.2fs api=%.2fs healthz=%.3fs"
           % (results["form"][1], results["api"][1], health))


def serve_refusal(workdir, data, cfg, timeout=60):
    """Start serve where it must refuse: (exit code, stderr).  Fails at
    once if it starts listening instead."""
    os.makedirs(os.path.join(str(workdir), "refused"), exist_ok=True)
    srv = Server(os.path.join(str(workdir), "refused"), data, cfg)
    deadline = time.monotonic() + timeout
    while srv.proc.poll() is None:
        if any("listening" in l for l in srv.stderr_lines()) or \
                time.monotonic() > deadline:
            srv.kill()
            pytest.fail("serve did not refuse to start:\n" + srv.stderr_text())
        time.sleep(0.02)    # polling the child against the deadline
    srv.kill()
    assert_no_sanitizer_report(srv.stderr_text(), "serve")
    return srv.returncode, srv.stderr_text()


def _key_missing(path):
    os.unlink(path)


def _key_directory(path):
    os.unlink(path)
    os.mkdir(path, 0o700)


def _key_truncated(path):
    os.truncate(path, 0)


def _key_other(path):
    """A well-formed master key file, but not the one the data was
    wrapped with (a key file from another installation)."""
    with open(path, "rb") as f:
        key = bytearray(f.read())
    key[-1] ^= 0x5a
    with open(path, "wb") as f:
        f.write(key)


@pytest.mark.parametrize("damage", [_key_missing, _key_directory,
                                    _key_truncated, _key_other],
                         ids=["missing", "directory", "truncated", "other"])
def test_master_key_unusable_refuses_to_start(tmp_path, damage):
    data = str(tmp_path / "data")
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config(CONFIG))
    p = run_tipline("init", "--data", data, "--config", cfg)
    assert p.returncode == 0, p.stderr
    # One tip, so that there is something the wrong key must not touch.
    rc, out, err, _ = ingest_mail(data, cfg, mail_message("before"))
    assert rc == 0, err
    key = os.path.join(data, "keys", "master.key")
    with open(key, "rb") as f:
        good = f.read()
    slots = "SELECT key_id, count(*) FROM key_slots GROUP BY key_id"
    before = db_query(data, slots)
    damage(key)
    rc, stderr = serve_refusal(tmp_path, data, cfg)
    assert rc == 1, (rc, stderr)
    assert key in stderr, stderr
    # Nothing was wrapped under a key that is not the data's.
    assert db_query(data, slots) == before
    if os.path.isdir(key):
        os.rmdir(key)
    elif os.path.exists(key):
        os.unlink(key)
    with open(key, "wb") as f:
        f.write(good)
    os.chmod(key, 0o600)
    verify(data, cfg)


# --------------------------------------------------------------------------
# Slow and abusive clients

DRIBBLER = r"""
import socket, sys, time
port, n, seconds = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setblocking(False)
    socks.append(s)
head = b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: " + b"a" * 100000
print("connected", flush=True)
t0 = time.monotonic()
pos = sent = 0
cut = []
while time.monotonic() - t0 < seconds and socks:
    for s in list(socks):
        try:
            s.send(head[pos:pos + 1])
            sent += 1
            if s.recv(1) == b"":
                raise ConnectionResetError
        except BlockingIOError:
            pass
        except OSError:
            socks.remove(s)
            s.close()
            cut.append(time.monotonic() - t0)
    pos += 1
    time.sleep(0.01)
cut.sort()
print("bytes_sent=%d cut=%d first_cut=%.1fs last_cut=%.1fs" % (
    sent, len(cut), cut[0] if cut else -1, cut[-1] if cut else -1),
    flush=True)
"""


def test_slow_header_clients_do_not_delay_a_real_one(start_server):
    """SLOW_CONNS connections send a never-ending head a byte at a time
    (in another process, so that our latency figures are our own) while a
    real client asks /healthz and posts tips.  Soak: long enough to see
    every slow connection cut at the 10 s head deadline."""
    srv = start_server(config=CONFIG)
    seconds = 16.0 if SOAK else 4.0
    drib = subprocess.Popen(
        [sys.executable, "-c", DRIBBLER, str(srv.port), str(SLOW_CONNS),
         str(seconds)], stdout=subprocess.PIPE, text=True)
    try:
        assert drib.stdout.readline().strip() == "connected"
        health, posts = [], []
        t_end = time.monotonic() + min(seconds, 9.0) - 0.5
        n = 0
        while time.monotonic() < t_end:
            n += 1
            t0 = time.monotonic()
            if n % 5 == 0:
                r = post_json(srv.port, "among slow clients %d" % n)
                assert r.status == 201, r
                posts.append(time.monotonic() - t0)
            else:
                r = srv.request("GET", "/healthz")
                assert r.status == 200, r
                health.append(time.monotonic() - t0)
        out, _ = drib.communicate(timeout=120)
    finally:
        if drib.poll() is None:
            drib.kill()
            drib.wait()
    health.sort()
    posts.sort()
    assert health and posts
    assert health[-1] < 1.0, health[-5:]
    assert posts[-1] < 1.0, posts[-5:]
    srv.assert_alive()
    cut = int(re.search(r"cut=(\d+)", out).group(1))
    if SOAK:
        # Every slow connection is cut at the 10 s head deadline.
        assert cut == SLOW_CONNS, out
    else:
        assert cut == 0, out       # and none before it
    figure("slow_headers conns=%d seconds=%.0f healthz=%d "
           "healthz_p50=%.1fms healthz_max=%.1fms posts=%d post_max=%.1fms "
           "%s" % (SLOW_CONNS, seconds, len(health),
                   1000 * health[len(health) // 2], 1000 * health[-1],
                   len(posts), 1000 * posts[-1], out.strip()))


def _low_nofile():
    resource.setrlimit(resource.RLIMIT_NOFILE, (512, 512))


def _read_until_close(socks, seconds):
    """Read every socket until it closes or seconds pass; returns
    {socket: bytes} of those the server closed."""
    import select
    bufs = {s: b"" for s in socks}
    for s in socks:
        s.setblocking(False)
    open_ = set(socks)
    closed = {}
    deadline = time.monotonic() + seconds
    while open_ and time.monotonic() < deadline:
        rl, _, _ = select.select(list(open_), [], [],
                                 max(0.0, deadline - time.monotonic()))
        for s in rl:
            try:
                piece = s.recv(65536)
            except OSError:
                piece = b""
            if piece:
                bufs[s] += piece
            else:
                open_.discard(s)
                closed[s] = bufs[s]
    return closed


def test_connections_over_the_cap_are_refused(tmp_path):
    """RLIMIT_NOFILE 512 (soft and hard, so the server cannot raise it):
    the cap is 512 - 384 reserved = 128 connections.  Those over it are
    answered 503 with Retry-After and closed at once; the connections
    within it are served, and so is everyone once they are gone."""
    data = str(tmp_path / "data")
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config(CONFIG))
    srv = start(tmp_path / "srv", data, cfg, preexec_fn=_low_nofile)
    held, over = [], []
    try:
        cap = int(srv.wait_for_stderr(lambda lines: next(
            (re.search(r"connection cap=(\d+)", l).group(1) for l in lines
             if "connection cap=" in l), None)))
        assert cap == 128, cap
        spare = 10
        for _ in range(cap - spare):
            held.append(socket.create_connection((HOST, srv.port),
                                                 timeout=10))
        # One request on the last one: the server has taken them all in
        # (it accepts in order).
        held[-1].sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        held[-1].settimeout(10)
        assert held[-1].recv(4096).startswith(b"HTTP/1.1 200 ")
        for _ in range(spare + 40):
            over.append(socket.create_connection((HOST, srv.port),
                                                 timeout=10))
        closed = _read_until_close(over, 3.0)
        refused = [b for b in closed.values()
                   if b.startswith(b"HTTP/1.1 503 ")
                   and b"\r\nRetry-After: " in b]
        assert len(refused) == len(closed), list(closed.values())[:3]
        # The first `spare` (give or take the readiness probe's, if the
        # server has not seen it close yet) are within the cap.
        assert 39 <= len(refused) <= 41, len(refused)
        # Connections within the cap are still served.
        for s in held[:5] + [s for s in over if s not in closed][:5]:
            s.setblocking(True)
            s.settimeout(10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n"
                      b"Connection: close\r\n\r\n")
            buf = b""
            while True:
                piece = s.recv(4096)
                if not piece:
                    break
                buf += piece
            assert buf.startswith(b"HTTP/1.1 200 "), buf[:200]
        for s in held + over:
            s.close()
        held, over = [], []
        deadline = time.monotonic() + 10
        while True:
            r = srv.request("GET", "/healthz")
            if r.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.05)    # polling until the closes are seen
        assert r.status == 200, r
        finish_server(srv)
    finally:
        for s in held + over:
            s.close()
        if srv.returncode is None:
            srv.kill()
    figure("connection_cap nofile=512 cap=%d over=%d refused_503=%d"
           % (cap, 40, len(refused)))


def _upload(port, head, body, barrier, results, i):
    sock = socket.create_connection((HOST, port), timeout=120)
    try:
        sock.sendall(head)
        barrier.wait(60)
        sock.setblocking(False)
        view = memoryview(body)
        sent = 0
        buf = b""
        deadline = time.monotonic() + 300
        import select
        while time.monotonic() < deadline:
            wl = [sock] if sent < len(body) else []
            rl, wl, _ = select.select([sock], wl, [], 1.0)
            if rl:
                try:
                    piece = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not piece:
                    break
                buf += piece
                if b"\r\n\r\n" in buf:
                    head_end = buf.index(b"\r\n\r\n")
                    m = re.search(rb"Content-Length: (\d+)",
                                  buf[:head_end], re.I)
                    if m and len(buf) - head_end - 4 >= int(m.group(1)):
                        break
            if wl:
                try:
                    sent += sock.send(view[sent:sent + (256 << 10)])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(body)
                except BlockingIOError:
                    pass
        results[i] = int(buf[9:12]) if buf.startswith(b"HTTP/1.1 ") else 0
    except OSError:
        results[i] = -1
    finally:
        sock.close()


def test_concurrent_large_uploads_stay_within_the_budget(tmp_path):
    """UPLOADS uploads of UPLOAD_MB MiB at once with inflight_max_mb =
    INFLIGHT_MB: every head arrives before any body, so the budget admits
    at most INFLIGHT_MB / UPLOAD_MB of them; the rest get 503.  The
    server's peak RSS stays under 64 MiB plus the budget."""
    data = str(tmp_path / "data")
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config({
        "limits": {"attachment_max_mb": str(UPLOAD_MB),
                   "tip_max_mb": str(UPLOAD_MB + 1),
                   "inflight_max_mb": str(INFLIGHT_MB),
                   "submissions_per_hour": "0"}}))
    # Initialised beforehand: init hashes the admin password with
    # Argon2id (64 MiB), which is no part of serving.
    p = run_tipline("init", "--data", data, "--config", cfg)
    assert p.returncode == 0, p.stderr
    srv = start(tmp_path / "srv", data, cfg)
    try:
        hwm_start = vm_kib(srv.proc.pid, "VmHWM")
        png = make_png(16, 16)
        filler = png + b"\0" * ((UPLOAD_MB << 20) - len(png) - 4096)
        ctype, body = encode_multipart(
            [("summary", "large upload"), ("details", "budget test")],
            [("attachments", "big.png", "image/png", filler)])
        head = ("POST /tips HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\n"
                "Content-Length: %d\r\nConnection: close\r\n\r\n"
                % (ctype, len(body))).encode()
        barrier = threading.Barrier(UPLOADS)
        results = [None] * UPLOADS
        threads = [threading.Thread(target=_upload, args=(
            srv.port, head, body, barrier, results, i))
            for i in range(UPLOADS)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(600)
        secs = time.monotonic() - t0
        srv.assert_alive()
        hwm = vm_kib(srv.proc.pid, "VmHWM")
        asan = is_asan(srv.proc.pid)
        finish_server(srv)
    finally:
        if srv.returncode is None:
            srv.kill()
    ok = results.count(201)
    busy = results.count(503)
    admit = (INFLIGHT_MB << 20) // len(body)
    limit_kib = (64 + INFLIGHT_MB) * 1024
    # Each admitted body is held once (http_guard.c gathers it into one
    # allocation, the form parser hands out slices of it): the growth is
    # the bodies the budget admitted plus a fixed allowance for the rest
    # of the requests' state (buffers, parser, blob writer, SQLite).
    growth_kib = ok * len(body) // 1024 + GROWTH_ALLOWANCE_MIB * 1024
    figure("uploads n=%d size_mib=%d inflight_mb=%d ok=%d busy_503=%d "
           "seconds=%.1f vmhwm_start_mib=%.1f vmhwm_mib=%.1f limit_mib=%d "
           "growth_mib=%.1f growth_limit_mib=%.1f%s"
           % (UPLOADS, UPLOAD_MB, INFLIGHT_MB, ok, busy, secs,
              hwm_start / 1024, hwm / 1024, limit_kib // 1024,
              (hwm - hwm_start) / 1024, growth_kib / 1024,
              " (asan: not asserted)" if asan else ""))
    assert ok + busy == UPLOADS, results
    assert 1 <= ok <= admit, (ok, admit, results)
    assert busy >= UPLOADS - admit, results
    if not asan:     # ASan's shadow memory and quarantine are not ours
        assert hwm < limit_kib, "VmHWM %d KiB over %d KiB" % (hwm, limit_kib)
        assert hwm - hwm_start < growth_kib, (
            "VmHWM grew %d KiB for %d bodies of %d bytes: over %d KiB (a "
            "body held twice?)" % (hwm - hwm_start, ok, len(body),
                                   growth_kib))


@pytest.mark.skipif(not SOAK, reason="takes over a minute: scripts/soak")
def test_slow_body_at_one_byte_per_second_is_cut_at_the_deadline(start_server):
    """The body deadline is 60 s plus 1 s per 64 KiB of Content-Length."""
    srv = start_server(config=CONFIG)
    s = socket.create_connection((HOST, srv.port), timeout=120)
    length = 1000
    s.sendall(b"POST /api/v1/tips HTTP/1.1\r\nHost: t\r\n"
              b"Content-Type: application/json\r\n"
              b"Content-Length: %d\r\n\r\n" % length)
    t0 = time.monotonic()
    sent = 0
    closed_at = None
    s.setblocking(False)
    while time.monotonic() - t0 < 90:
        try:
            if s.recv(4096) == b"":
                closed_at = time.monotonic() - t0
                break
        except BlockingIOError:
            pass
        except OSError:
            closed_at = time.monotonic() - t0
            break
        try:
            s.send(b"{")
            sent += 1
        except OSError:
            closed_at = time.monotonic() - t0
            break
        time.sleep(1.0)     # the client's rate: 1 byte/s
        t_real = time.monotonic()
        srv.assert_alive()
        assert time.monotonic() - t_real < 1.0
    s.close()
    assert closed_at is not None, "the slow body was never cut off"
    assert 58 <= closed_at <= 65, closed_at
    srv.assert_alive()
    figure("slow_body bytes_sent=%d cut_after=%.1fs" % (sent, closed_at))


def test_sweep_waits_for_ingest_mail_writers(tmp_path):
    """The start-up sweep never races a delivery: while a writer holds the
    writers' lock shared (as `ingest-mail` does for its whole run), `serve`
    does not sweep or listen; once the writer is gone the orphan it would
    have left is swept.  And while `serve` sweeps or `keys rotate` runs
    (the lock held exclusive), `ingest-mail` waits, then stores."""
    import fcntl
    data = str(tmp_path / "data")
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config(CONFIG))
    os.makedirs(data)
    srv = start(tmp_path / "first", data, cfg)
    rc, tip, err, _ = ingest_mail(data, cfg, mail_message("lock", png=True))
    assert rc == 0, err
    finish_server(srv)

    # An orphan, as a writer that has not committed yet would leave it.
    real = blob_files(data)[0]
    name = "f" * 32
    shard = os.path.join(os.path.dirname(os.path.dirname(real)), name[:2])
    os.makedirs(shard, exist_ok=True)
    orphan = os.path.join(shard, name)
    shutil.copyfile(real, orphan)

    lock = open(os.path.join(data, "writers.lock"), "a+")
    fcntl.flock(lock, fcntl.LOCK_SH)
    srv = Server(str(tmp_path), data, cfg)
    try:
        with pytest.raises(pytest.fail.Exception):
            srv.wait_for_stderr(lambda lines: any(
                "listening" in ln or "sweep" in ln for ln in lines),
                timeout=1.5)
        assert os.path.exists(orphan), "swept while a writer held the lock"
        fcntl.flock(lock, fcntl.LOCK_UN)
        srv.wait_ready()
        assert not os.path.exists(orphan)
        assert sweep_counts(srv)[1] == 1
    except BaseException:
        srv.kill()
        raise
    finish_server(srv)

    # ingest-mail waits for an exclusive holder, then stores.
    fcntl.flock(lock, fcntl.LOCK_EX)
    msg_path = str(tmp_path / "wait.eml")
    with open(msg_path, "wb") as f:
        f.write(mail_message("wait"))
    with open(msg_path, "rb") as stdin:
        p = subprocess.Popen([tipline_bin(), "ingest-mail", "--data", data,
                              "--config", cfg], stdin=stdin,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             env=child_env())
    with pytest.raises(subprocess.TimeoutExpired):
        p.wait(1.5)
    before = db_count(data, "tips")
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err.decode("utf-8", "replace")
    assert_no_sanitizer_report(err.decode("utf-8", "replace"), "ingest-mail")
    assert TIP_ID_RE.fullmatch(out.strip())
    assert db_count(data, "tips") == before + 1
    verify(data, cfg)
