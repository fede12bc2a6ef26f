# SPDX-License-Identifier: MIT
"""`tipline backup` under load (issue 8): form, JSON and LMTP clients keep
submitting while the backup runs; the backup is restored into a new data
directory, `verify` is clean there (every record and blob decrypts), the
blob files are exactly the attachment rows, and a server on the restored
directory opens every receipt acknowledged before the backup began and
holds every e-mail tip acknowledged before it."""

import json
import os
import shutil
import threading
import time

from harness import (Server, blob_files, db_query, finish_server,
                     merged_config, run_tipline, write_config)
from test_faults import (CONFIG, TIP_ID_RE, RECEIPT_RE, lmtp_deliver,
                         mail_message, post_form, post_json)

CLIENTS = ("form", "api", "form", "api", "lmtp")


def client(srv, kind, seq, stop, acks, lock):
    """Submit until stop; acks gets (monotonic time, kind, id, receipt)."""
    n = 0
    while not stop.is_set():
        n += 1
        tag = "backup-%s-%d-%d" % (kind, seq, n)
        if kind == "lmtp":
            code, text = lmtp_deliver(srv.lmtp_port, mail_message(tag, True))
            assert code == 250, (code, text)
            got = (TIP_ID_RE.search(text).group(0).decode(), None)
        elif kind == "form":
            r = post_form(srv.port, tag)
            assert r.status == 201, r
            got = (TIP_ID_RE.search(r.body).group(0).decode(),
                   RECEIPT_RE.search(r.body).group(1).replace(b" ", b"")
                   .decode())
        else:
            r = post_json(srv.port, tag)
            assert r.status == 201, r
            doc = json.loads(r.body)
            got = (doc["id"], doc["receipt"])
        with lock:
            acks.append((time.monotonic(), kind) + got)


def test_backup_under_load_restores_every_acknowledged_tip(start_server,
                                                           tmp_path):
    srv = start_server(config=CONFIG)
    stop, lock, acks, errors = threading.Event(), threading.Lock(), [], []

    def run(kind, seq):
        try:
            client(srv, kind, seq, stop, acks, lock)
        except BaseException as exc:    # reported below, not lost
            errors.append(exc)
            stop.set()

    threads = [threading.Thread(target=run, args=(k, i), daemon=True)
               for i, k in enumerate(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(acks) < 20 and time.monotonic() < deadline and not errors:
        time.sleep(0.05)    # until the load is going
    t_start = time.monotonic()
    backup = tmp_path / "backup"
    r = run_tipline("backup", backup, "--data", srv.data_dir, timeout=300)
    t_end = time.monotonic()
    with lock:
        during = sum(1 for a in acks if t_start <= a[0] <= t_end)
    time.sleep(0.2)         # and a little after it
    stop.set()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert r.returncode == 0, r.stderr
    before = [a for a in acks if a[0] < t_start]
    assert len(before) >= 20 and during >= 1, (len(before), during)
    finish_server(srv)

    # Restore into a new data dir, the key file kept apart.
    keydir = tmp_path / "keys"
    keydir.mkdir()
    shutil.copy(os.path.join(srv.data_dir, "keys", "master.key"),
                keydir / "master.key")
    cfg = write_config(str(tmp_path / "restored.ini"), merged_config(
        dict(CONFIG, server={"key_file": str(keydir / "master.key")})))
    new = str(tmp_path / "restored")
    r = run_tipline("restore", backup, "--data", new, "--config", cfg)
    assert r.returncode == 0, r.stderr
    r = run_tipline("verify", "--data", new, "--config", cfg, timeout=300)
    assert r.returncode == 0 and "verify: ok" in r.stdout, r.stdout + r.stderr
    names = {os.path.basename(p) for p in blob_files(new)}
    rows = {row[0] for row in db_query(new, "SELECT blob_name FROM "
                                       "attachments")}
    assert names == rows
    stored = {row[0] for row in db_query(new, "SELECT public_id FROM tips")}
    missing = [a for a in before if a[2] not in stored]
    assert not missing, missing[:5]

    # Every receipt acknowledged before the backup opens its tip there.
    os.makedirs(str(tmp_path / "srv2"))
    srv2 = Server(tmp_path / "srv2", new, cfg)
    try:
        srv2.wait_ready()
        for _, kind, tip, receipt in before:
            if receipt is None:
                continue
            r = srv2.request("POST", "/api/v1/follow-up",
                             body=json.dumps({"receipt": receipt}).encode(),
                             headers={"Content-Type": "application/json"})
            assert r.status == 200 and json.loads(r.body)["id"] == tip, \
                (kind, tip, r)
        finish_server(srv2)
    finally:
        if srv2.returncode is None:
            srv2.kill()
    print("backup_load: %d acknowledged before, %d during the backup "
          "(%.2f s), %d tips restored" % (len(before), during,
                                          t_end - t_start, len(stored)))
