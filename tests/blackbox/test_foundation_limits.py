# SPDX-License-Identifier: MIT
"""Black-box tests of the serve loop's own limits: the in-flight byte budget
(503 + Retry-After, never an out-of-memory crash), the drain on SIGTERM
(a request in the middle of its upload is finished, then exit 0), and the
absolute deadline on a request head sent one byte at a time."""

import signal
import socket
import threading
import time

from harness import encode_multipart, make_png


def _post_head(port, path, length, ctype="multipart/form-data; boundary=x"):
    """Open a connection and send only the head of a POST."""
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(("POST %s HTTP/1.1\r\nHost: t\r\nContent-Type: %s\r\n"
               "Content-Length: %d\r\n\r\n" % (path, ctype, length))
              .encode("ascii"))
    return s


def _read_all(s, timeout=30):
    s.settimeout(timeout)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        if not chunk:
            break
        data += chunk
        if b"\r\n\r\n" in data:
            head, _, body = data.partition(b"\r\n\r\n")
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    if len(body) >= int(line.split(b":")[1]):
                        return data
    return data


def test_inflight_budget_gives_503_with_retry_after(start_server):
    srv = start_server(config={"limits": {"inflight_max_mb": "1",
                                          "tip_max_mb": "2",
                                          "attachment_max_mb": "2"}})
    # One upload of 800 KiB holds most of the 1 MiB budget while its body
    # is still arriving.
    holder = _post_head(srv.port, "/tips", 800 * 1024)
    holder.sendall(b"--x\r\n")
    time.sleep(0.2)
    r = srv.request("POST", "/tips", body=b"y" * (400 * 1024),
                    headers={"Content-Type":
                             "multipart/form-data; boundary=x"})
    assert r.status == 503, r
    assert r.header("retry-after") is not None
    assert "nosniff" in (r.header("x-content-type-options") or "")
    srv.assert_alive()
    # Once the first upload is gone, the budget is free again.
    holder.close()
    deadline = time.time() + 10
    while True:
        ctype, body = encode_multipart(
            [("summary", "budget"), ("details", "budget test")],
            [("attachments", "p.png", "image/png", make_png())])
        r = srv.request("POST", "/tips", body=body,
                        headers={"Content-Type": ctype})
        if r.status == 201 or time.time() > deadline:
            break
        time.sleep(0.1)
    assert r.status == 201, r


def test_sigterm_finishes_an_upload_in_progress(start_server):
    srv = start_server()
    ctype, body = encode_multipart(
        [("summary", "drain"), ("details", "sent while stopping")],
        [("attachments", "p.png", "image/png", make_png())])
    s = _post_head(srv.port, "/tips", len(body), ctype)
    half = len(body) // 2
    s.sendall(body[:half])
    time.sleep(0.3)
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    # Still running: it waits for the upload it has started to receive.
    assert srv.proc.poll() is None, srv.stderr_text()
    # New connections are no longer accepted.
    try:
        c = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        c.settimeout(2)
        got = c.recv(100)
        c.close()
        assert got == b"", got
    except OSError:
        pass
    s.sendall(body[half:])
    reply = _read_all(s)
    s.close()
    assert reply.startswith(b"HTTP/1.1 201"), reply[:200]
    assert srv.stop() == 0


def test_head_sent_byte_by_byte_is_cut_at_the_deadline(start_server):
    srv = start_server()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    s.sendall(b"GET /healthz HTTP/1.1\r\n")
    closed = threading.Event()
    started = time.time()

    def dribble():
        try:
            while not closed.is_set() and time.time() - started < 25:
                s.sendall(b"X-Slow: a\r\n")
                time.sleep(0.5)
        except OSError:
            pass

    t = threading.Thread(target=dribble, daemon=True)
    t.start()
    # Meanwhile a real client is served at once.
    for _ in range(3):
        t0 = time.time()
        srv.assert_alive()
        assert time.time() - t0 < 1.0
    s.settimeout(25)
    try:
        data = s.recv(100)
    except OSError:
        data = b""
    elapsed = time.time() - started
    closed.set()
    s.close()
    assert data == b"", data
    # The head deadline is 10 s; never the 30 s idle timeout.
    assert 8 <= elapsed < 20, elapsed
    srv.assert_alive()
