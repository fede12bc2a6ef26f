# SPDX-License-Identifier: MIT
"""`tipline keys rotate` killed in the middle (issue 8): at every step
that writes (each write, fsync, rename and unlink, and a spread of the
database's page writes) the command is killed with SIGKILL, injected by
strace at that very system call.  Afterwards one of the key files on disk
(the old key, or `master.key.new` beside it) opens the store and `verify`
is clean with it; running the command again finishes the rotation: one
key, every slot under it, `verify` clean, no `.new` file left.

Needs strace (scripts/setup installs it); skipped, naming the reason,
without it or where ptrace is not allowed."""

import os
import re
import shutil
import subprocess

import pytest

from harness import (assert_no_sanitizer_report, child_env, db_query,
                     run_tipline, tipline_bin)

STRACE = shutil.which("strace")
# The system calls a kill is injected at.  rename/renameat2: the key file
# put in place; write: the new key file; pwrite64/fdatasync/fsync/
# ftruncate/unlink: SQLite's WAL and the directories.
POINTS = ("write", "pwrite64", "fsync", "fdatasync", "ftruncate", "rename",
          "renameat2", "unlink")
# Page writes are many and alike: this many of them, spread out.
PWRITE_POINTS = 6
SLOTS = "SELECT key_id, count(*) FROM key_slots GROUP BY key_id"


def mail(i):
    return ("From: tipster%d@example.org\r\nTo: tips@localhost\r\n"
            "Subject: key rotation %d\r\nMessage-ID: <rotate-%d@example.org>"
            "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "tip %d, before the rotation\r\n" % (i, i, i, i))


def traced_env():
    """LeakSanitizer stops threads with ptrace, which a traced process
    cannot: no leak check in a traced run (the untraced runs keep it)."""
    opts = os.environ.get("ASAN_OPTIONS", "")
    return child_env(ASAN_OPTIONS=(opts + ":" if opts else "") +
                     "detect_leaks=0")


def rotate_traced(data, *strace_args):
    p = subprocess.run([STRACE, "-f", "-qq"] + list(strace_args) +
                       [tipline_bin(), "keys", "rotate", "--data", data],
                       capture_output=True, text=True, errors="replace",
                       env=traced_env(), timeout=120)
    assert_no_sanitizer_report(p.stderr, "keys rotate (traced)")
    return p


def verify_with(tmp_path, data, key):
    cfg = tmp_path / "verify.ini"
    cfg.write_text("[server]\nkey_file = %s\n" % key)
    p = run_tipline("verify", "--data", data, "--config", cfg, timeout=120)
    return p.returncode == 0 and "verify: ok" in p.stdout


def kill_points(tmp_path, pristine):
    """[(syscall, n)]: every call of POINTS that an untraced-alike rotation
    of a copy of pristine makes (a spread of the pwrite64 ones)."""
    data = str(tmp_path / "count")
    shutil.copytree(pristine, data)
    log = str(tmp_path / "strace.log")
    p = rotate_traced(data, "-o", log, "-e", "trace=" + ",".join(POINTS))
    if p.returncode != 0 and "ptrace" in p.stderr:
        pytest.skip("strace cannot trace here: %s" % p.stderr.strip())
    assert p.returncode == 0, p.stderr
    counts = {}
    with open(log) as f:
        for line in f:
            m = re.match(r"\d+\s+(\w+)\(", line)
            if m:
                counts[m.group(1)] = counts.get(m.group(1), 0) + 1
    points = []
    for sc in POINTS:
        n = counts.get(sc, 0)
        if sc == "pwrite64" and n > PWRITE_POINTS:
            picks = sorted({1 + i * (n - 1) // (PWRITE_POINTS - 1)
                            for i in range(PWRITE_POINTS)})
        else:
            picks = range(1, n + 1)
        points += [(sc, i) for i in picks]
    assert counts.get("rename", 0) + counts.get("renameat2", 0) >= 2, counts
    return points


@pytest.mark.skipif(STRACE is None, reason="no strace (scripts/setup "
                    "installs it)")
def test_keys_rotate_killed_at_every_step(tmp_path):
    pristine = str(tmp_path / "pristine")
    p = run_tipline("init", "--data", pristine)
    assert p.returncode == 0, p.stderr
    for i in range(4):
        p = run_tipline("ingest-mail", "--data", pristine, input=mail(i))
        assert p.returncode == 0, p.stderr
    old_key = os.path.join(pristine, "keys", "master.key")
    slots = sum(n for _, n in db_query(pristine, SLOTS))
    assert slots >= 4

    points = kill_points(tmp_path, pristine)
    seen = {"old": 0, "new": 0}
    for sc, n in points:
        data = str(tmp_path / ("kill-%s-%d" % (sc, n)))
        shutil.copytree(pristine, data)
        key = os.path.join(data, "keys", "master.key")
        p = rotate_traced(data, "-o", os.devnull, "-e", "trace=" + sc,
                          "-e", "inject=%s:signal=SIGKILL:when=%d" % (sc, n))
        assert p.returncode in (-9, 137), (sc, n, p.returncode, p.stderr)
        # The old key file, or the new one beside it, opens every tip.
        with open(key, "rb") as f:
            installed = "old" if f.read() == open(old_key, "rb").read() \
                else "new"
        if verify_with(tmp_path, data, key):
            seen[installed] += 1
        else:
            assert os.path.exists(key + ".new") and \
                verify_with(tmp_path, data, key + ".new"), (
                    "killed at %s #%d: neither key opens the store" % (sc, n))
        # Running it again finishes the job.
        p = run_tipline("keys", "rotate", "--data", data)
        assert p.returncode == 0, (sc, n, p.stderr)
        assert not os.path.exists(key + ".new"), (sc, n)
        assert verify_with(tmp_path, data, key), (sc, n)
        after = db_query(data, SLOTS)
        assert len(after) == 1 and after[0][1] == slots, (sc, n, after)
        shutil.rmtree(data)
    # The kills fell both before and after the new key was installed.
    assert seen["old"] and seen["new"], seen
    print("keys_crash: %d kill points %s" % (len(points), seen))
