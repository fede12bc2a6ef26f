# SPDX-License-Identifier: MIT
"""`tipline verify` catches tampering: a store with one tip and one
attachment verifies; after one byte of the attachment's blob file is
flipped on disk it does not, and says what is wrong."""

import os

from harness import (assert_safe_headers, blob_files, encode_multipart,
                     make_png, run_tipline)


def submit_tip_with_png(server):
    png = make_png()
    ctype, body = encode_multipart(
        [("summary", "某检测公司出具虚假检测报告"),
         ("details", "2022年5月，该公司未实际检测即出具合格报告。"
                     "The lab issued a pass report without testing.")],
        [("attachments", "report-photo.png", "image/png", png)])
    r = server.request("POST", "/tips", body=body,
                       headers={"Content-Type": ctype})
    assert r.status == 201, "POST /tips: %r" % r
    assert_safe_headers(r, "POST /tips")
    return png


def flip_middle_byte(path):
    size = os.path.getsize(path)
    assert size > 0
    with open(path, "r+b") as f:
        f.seek(size // 2)
        b = f.read(1)
        f.seek(size // 2)
        f.write(bytes([b[0] ^ 0x01]))
        f.flush()
        os.fsync(f.fileno())


def test_verify_detects_flipped_blob_byte(server):
    data = server.data_dir

    # Fresh store, with the server running (verify works beside serve).
    p = run_tipline("verify", "--data", data)
    assert p.returncode == 0, "fresh store:\n%s%s" % (p.stdout, p.stderr)

    png = submit_tip_with_png(server)
    server.assert_alive()

    blobs = blob_files(data)
    assert len(blobs) == 1, "expected one blob file, found %r" % blobs
    blob = blobs[0]
    with open(blob, "rb") as f:
        stored = f.read()
    assert png not in stored, "the attachment is stored in clear"

    p = run_tipline("verify", "--data", data)
    assert p.returncode == 0, "after one tip:\n%s%s" % (p.stdout, p.stderr)

    # Stop the server so that nothing but our flip touches the store.
    assert server.stop() == 0, server.stderr_text()

    flip_middle_byte(blob)
    p = run_tipline("verify", "--data", data)
    out = p.stdout + p.stderr
    assert p.returncode == 1, "verify missed a flipped byte (exit %d):\n%s" % (
        p.returncode, out)
    name = os.path.basename(blob)
    assert name in out or "blob" in out.lower(), \
        "verify does not name the problem:\n%s" % out
