# SPDX-License-Identifier: MIT
"""Helpers of the public web tests (test_web_intake.py, test_follow_up.py):
counting what is stored, grepping the data dir for plaintext, the
receipt on a receipt page, and the staff-message test helper."""

import os
import re
import sqlite3
import subprocess

from harness import blob_files, child_env

RECEIPT_RE = re.compile(rb'id="receipt">([0-9 ]{19})<')
CSRF_RE = re.compile(rb'name="csrf" value="([0-9a-f]{32})"')
NONCE_RE = re.compile(rb'name="nonce" value="([0-9a-f]{32})"')


def db_count(server, sql, args=()):
    """One number from the server's database, read-only (WAL readers do
    not disturb the running server)."""
    path = os.path.join(server.data_dir, "tipline.db")
    conn = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        return conn.execute(sql, args).fetchone()[0]
    finally:
        conn.close()


def counts(server):
    """(tips, messages, attachment rows, blob files)."""
    return (db_count(server, "SELECT count(*) FROM tips"),
            db_count(server, "SELECT count(*) FROM messages"),
            db_count(server, "SELECT count(*) FROM attachments"),
            len(blob_files(server.data_dir)))


def files_containing(root, needles):
    """Paths of files under root whose bytes contain any of needles."""
    found = []
    for dirpath, _, filenames in os.walk(str(root)):
        for name in filenames:
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            for needle in needles:
                if needle in data:
                    found.append((path, needle))
    return found


def receipt_of(body):
    """The 16 digits of a receipt page."""
    m = RECEIPT_RE.search(body)
    assert m, "no receipt code on the page: %r" % body[:2000]
    return m.group(1).replace(b" ", b"").decode("ascii")


def cookie_of(resp):
    """The tipster cookie's "name=value" from Set-Cookie, and the whole
    header."""
    for value in resp.headers.get("set-cookie", []):
        if value.startswith("tipline_tipster="):
            return value.split(";", 1)[0], value
    return None, None


def staff_message(server, receipt, text):
    """Store a message from the bureau through the storage layer (the
    tests/helpers/staff_message.c helper; the staff pages come later)."""
    helper = os.environ.get("TIPLINE_STAFF_MESSAGE")
    assert helper, "TIPLINE_STAFF_MESSAGE is not set (meson sets it)"
    key = os.path.join(server.data_dir, "keys", "master.key")
    proc = subprocess.run([helper, server.data_dir, key, receipt, text],
                          env=child_env(), capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
