# SPDX-License-Identifier: MIT
"""`tipline ingest-mail`: the MTA pipe door.  Exit codes as an MTA reads
them (contract.md, "Command line"): 0 stored (the tip id on stdout), 65 only
for input over mail_max_mb or empty, 75 for anything transient, returned
well before an MTA's time limit; never another code for a transient fault.
"""

import re
import subprocess
import time
from email.utils import formatdate, make_msgid

import pytest

from harness import (DatabaseLock, assert_no_sanitizer_report, child_env,
                     db_count, db_query, merged_config, run_tipline,
                     tipline_bin, write_config)

MAIL_MAX = 1 << 20
CONFIG = merged_config({
    "limits": {"mail_max_mb": "1"},
    "mail": {"tip_addresses": "tips@localhost",
             "bureau_addresses": "140581:gaoping@localhost"},
})
TIP_ID_RE = re.compile(r"^T-\d{4}-\d{6}$")


@pytest.fixture
def datadir(tmp_path):
    """An initialised data directory and its config: (data_dir, cfg)."""
    data = tmp_path / "data"
    cfg = write_config(str(tmp_path / "tipline.ini"), CONFIG)
    p = run_tipline("init", "--data", data, "--config", cfg)
    assert p.returncode == 0, p.stderr
    return str(data), cfg


def message(subject="管道投递", body="通过管道投递的举报。"):
    return ("From: tipster@example.org\r\nTo: tips@localhost\r\n"
            "Subject: =?utf-8?b?5Li+5oql?= %s\r\nMessage-ID: %s\r\n"
            "Date: %s\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n"
            % (subject, make_msgid(domain="example.org"), formatdate(),
               body)).encode("utf-8")


def ingest(data_dir, cfg, data, *args, timeout=70):
    """Run ingest-mail with bytes on stdin; returns (rc, stdout, stderr,
    seconds)."""
    cmd = [tipline_bin(), "ingest-mail", "--data", data_dir, "--config",
           cfg] + list(args)
    t0 = time.monotonic()
    p = subprocess.run(cmd, input=data, capture_output=True,
                       env=child_env(), timeout=timeout)
    elapsed = time.monotonic() - t0
    err = p.stderr.decode("utf-8", "replace")
    assert_no_sanitizer_report(err, "ingest-mail")
    return p.returncode, p.stdout.decode().strip(), err, elapsed


def test_stored(datadir):
    data, cfg = datadir
    rc, out, err, _ = ingest(data, cfg, message())
    assert rc == 0, err
    assert TIP_ID_RE.match(out), out
    rows = db_query(data, "SELECT channel, bureau FROM tips WHERE "
                    "public_id = ?", (out,))
    assert rows == [("email", "140500")]
    p = run_tipline("verify", "--data", data, "--config", cfg)
    assert p.returncode == 0, p.stdout + p.stderr


def test_recipient_hint(datadir):
    data, cfg = datadir
    rc, out, err, _ = ingest(data, cfg, message(),
                             "--recipient", "gaoping@localhost")
    assert rc == 0, err
    assert db_query(data, "SELECT bureau FROM tips WHERE public_id = ?",
                    (out,)) == [("140581",)]
    rc, out, err, _ = ingest(data, cfg, message(),
                             "--recipient", "tips+140525@localhost")
    assert rc == 0, err
    assert db_query(data, "SELECT bureau FROM tips WHERE public_id = ?",
                    (out,)) == [("140525",)]


def test_unknown_recipient_still_stored(datadir):
    """65 is only for size or emptiness: an address we do not know is no
    reason to bounce a tip; it is stored without a routing hint."""
    data, cfg = datadir
    rc, out, err, _ = ingest(data, cfg, message(),
                             "--recipient", "stranger@elsewhere.example")
    assert rc == 0, err
    assert db_query(data, "SELECT bureau FROM tips WHERE public_id = ?",
                    (out,)) == [("140500",)]


def test_same_message_twice(datadir):
    data, cfg = datadir
    msg = message()
    rc1, out1, err1, _ = ingest(data, cfg, msg)
    rc2, out2, err2, _ = ingest(data, cfg, msg)
    assert rc1 == 0 and rc2 == 0, err1 + err2
    assert out1 == out2
    assert db_count(data, "tips") == 1


def test_too_large_65(datadir):
    data, cfg = datadir
    big = message(body="x" * (MAIL_MAX + 10))
    rc, out, err, _ = ingest(data, cfg, big)
    assert rc == 65, (rc, err)
    assert "mail_max" in err
    assert out == ""
    assert db_count(data, "tips") == 0


def test_at_the_limit_accepted(datadir):
    data, cfg = datadir
    msg = message(body="")
    msg = msg + b"y" * (MAIL_MAX - len(msg))
    assert len(msg) == MAIL_MAX
    rc, out, err, _ = ingest(data, cfg, msg)
    assert rc == 0, (rc, err)


@pytest.mark.parametrize("data_in", [b"", b"\r\n \t\n"])
def test_empty_65(datadir, data_in):
    data, cfg = datadir
    rc, _, err, _ = ingest(data, cfg, data_in)
    assert rc == 65, (rc, err)
    assert db_count(data, "tips") == 0


def test_not_a_message_is_accepted(datadir):
    """Within the limit, anything that is not empty is kept (flagged for a
    person): 65 only for size or emptiness."""
    data, cfg = datadir
    rc, out, err, _ = ingest(data, cfg, b"\x00\x01 not a message \xff\xfe")
    assert rc == 0, (rc, err)
    assert TIP_ID_RE.match(out)


def test_database_locked_75_in_time(datadir):
    data, cfg = datadir
    with DatabaseLock(data):
        rc, out, err, elapsed = ingest(data, cfg, message())
    assert rc == 75, (rc, out, err)
    assert elapsed < 50, "took %.1fs" % elapsed
    assert db_count(data, "tips") == 0
    # The lock gone, the retry is stored.
    rc, out, err, _ = ingest(data, cfg, message())
    assert rc == 0, err


def test_while_serve_runs(start_server):
    srv = start_server(config=CONFIG)
    rc, out, err, _ = ingest(srv.data_dir, srv.config_path, message())
    assert rc == 0, err
    assert db_query(srv.data_dir, "SELECT channel FROM tips WHERE "
                    "public_id = ?", (out,)) == [("email",)]
    srv.assert_alive()


def test_uninitialised_data_dir_75(tmp_path):
    cfg = write_config(str(tmp_path / "tipline.ini"), CONFIG)
    empty = tmp_path / "nothing-here"
    empty.mkdir()
    rc, _, err, _ = ingest(str(empty), cfg, message())
    assert rc == 75, (rc, err)


def test_key_unreadable_75(datadir, tmp_path):
    data, _ = datadir
    cfg = write_config(str(tmp_path / "nokey.ini"), merged_config(dict(
        CONFIG, server={"workers": "2",
                        "key_file": str(tmp_path / "missing.key")})))
    rc, _, err, _ = ingest(data, cfg, message())
    assert rc == 75, (rc, err)


def test_bad_config_75(datadir, tmp_path):
    data, _ = datadir
    rc, _, err, _ = ingest(data, str(tmp_path / "no-such.ini"), message())
    assert rc == 75, (rc, err)


def test_help():
    p = run_tipline("ingest-mail", "--help")
    assert p.returncode == 0
    assert "--recipient" in p.stdout
    p = run_tipline("--help")
    assert "ingest-mail" in p.stdout
