# SPDX-License-Identifier: MIT
"""Black-box tests of `tipline backup`, `restore` and `keys rotate` through
the real binary: a backup taken while tips are being submitted restores
into a new data directory where `verify` opens every tip and blob; the key
file is never in a backup; rotation re-wraps every slot, refuses to run
beside `serve`, and leaves a store that verifies and keeps taking tips."""

import os
import shutil
import sqlite3
import threading

from harness import blob_files, encode_multipart, make_png, run_tipline


def _submit(srv, n):
    ids = []
    for i in range(n):
        ctype, body = encode_multipart(
            [("summary", "backup %d" % i), ("details", "details %d" % i)],
            [("attachments", "p%d.png" % i, "image/png", make_png(16 + i))])
        r = srv.request("POST", "/tips", body=body,
                        headers={"Content-Type": ctype})
        assert r.status == 201, r
        ids.append(i)
    return ids


def _count(data_dir, table):
    db = sqlite3.connect("file:%s/tipline.db?mode=ro" % data_dir, uri=True)
    try:
        return db.execute("SELECT count(*) FROM %s" % table).fetchone()[0]
    finally:
        db.close()


def test_backup_while_serving_restores_and_verifies(start_server, tmp_path):
    srv = start_server()
    _submit(srv, 3)
    # More tips arrive while the backup runs.
    busy = threading.Thread(target=_submit, args=(srv, 5))
    busy.start()
    backup = tmp_path / "backup"
    r = run_tipline("backup", backup, "--data", srv.data_dir)
    busy.join()
    assert r.returncode == 0, r.stderr
    assert "master key" in r.stdout
    # The key file is never part of a backup.
    key = open(os.path.join(srv.data_dir, "keys", "master.key"), "rb").read()
    for dirpath, _, files in os.walk(backup):
        for f in files:
            with open(os.path.join(dirpath, f), "rb") as fh:
                assert key[-32:] not in fh.read(), f
    assert os.path.exists(backup / "MANIFEST.json")

    # Restore into a new data dir, with the key file put at key_file.
    new = tmp_path / "restored"
    keydir = tmp_path / "keys"
    keydir.mkdir()
    shutil.copy(os.path.join(srv.data_dir, "keys", "master.key"),
                keydir / "master.key")
    cfg = tmp_path / "restore.ini"
    cfg.write_text("[server]\nkey_file = %s\n" % (keydir / "master.key"))
    r = run_tipline("restore", backup, "--data", new, "--config", cfg)
    assert r.returncode == 0, r.stderr
    tips = _count(new, "tips")
    assert tips >= 3
    assert len(blob_files(new)) == _count(new, "attachments") == tips
    r = run_tipline("verify", "--data", new, "--config", cfg)
    assert r.returncode == 0, r.stdout + r.stderr
    srv.assert_alive()


def test_backup_refuses_a_non_empty_dir(server, tmp_path):
    target = tmp_path / "full"
    target.mkdir()
    (target / "x").write_text("x")
    r = run_tipline("backup", target, "--data", server.data_dir)
    assert r.returncode == 1
    assert "not empty" in r.stderr


def test_restore_refuses_wrong_key_and_initialised_dir(server, tmp_path):
    _submit(server, 1)
    backup = tmp_path / "b"
    assert run_tipline("backup", backup, "--data",
                       server.data_dir).returncode == 0
    # Into the live (initialised) data dir: refused.
    r = run_tipline("restore", backup, "--data", server.data_dir)
    assert r.returncode == 1 and "already holds a database" in r.stderr
    # With another master key: refused, naming both keys.
    other = tmp_path / "other"
    assert run_tipline("init", "--data", other).returncode == 0
    cfg = tmp_path / "c.ini"
    cfg.write_text("[server]\nkey_file = %s\n"
                   % (other / "keys" / "master.key"))
    r = run_tipline("restore", backup, "--data", tmp_path / "new",
                    "--config", cfg)
    assert r.returncode == 1 and "needs master key" in r.stderr
    assert not os.path.exists(tmp_path / "new" / "tipline.db")


def test_keys_rotate(start_server):
    srv = start_server()
    _submit(srv, 2)
    keyfile = os.path.join(srv.data_dir, "keys", "master.key")
    before = open(keyfile, "rb").read()
    # Not beside a running serve.
    r = run_tipline("keys", "rotate", "--data", srv.data_dir)
    assert r.returncode == 1 and "stop it first" in r.stderr
    assert open(keyfile, "rb").read() == before
    assert srv.stop() == 0

    r = run_tipline("keys", "rotate", "--data", srv.data_dir)
    assert r.returncode == 0, r.stderr
    after = open(keyfile, "rb").read()
    assert after != before
    assert oct(os.stat(keyfile).st_mode & 0o777) == "0o600"
    assert not os.path.exists(keyfile + ".new")
    r = run_tipline("verify", "--data", srv.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr
    # One slot per tip (plus the service keys), all under the new key.
    db = sqlite3.connect("file:%s/tipline.db?mode=ro" % srv.data_dir,
                         uri=True)
    ids = {row[0] for row in db.execute("SELECT key_id FROM key_slots")}
    db.close()
    assert len(ids) == 1
    # The old key no longer opens the store.
    with open(keyfile, "wb") as f:
        f.write(before)
    r = run_tipline("verify", "--data", srv.data_dir)
    assert r.returncode == 1
    with open(keyfile, "wb") as f:
        f.write(after)
    # The service goes on taking tips with the new key.
    srv2 = start_server(data_dir=srv.data_dir)
    _submit(srv2, 1)
    assert srv2.stop() == 0
    r = run_tipline("verify", "--data", srv.data_dir)
    assert r.returncode == 0, r.stdout + r.stderr
