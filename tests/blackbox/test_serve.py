# SPDX-License-Identifier: MIT
"""`tipline serve`: start-up on an empty data dir, /healthz, unknown paths,
the per-request log line, and shutdown on signals."""

import os
import re
import signal
import stat
import time

import pytest

from harness import assert_safe_headers

USER_AGENT = "tipline-blackbox-UA/7f3a9c"
LOG_FIELDS = ("method=", "route=", "status=", "bytes=", "ms=")


def test_serve_initialises_empty_data_dir(server):
    db = os.path.join(server.data_dir, "tipline.db")
    key = os.path.join(server.data_dir, "keys", "master.key")
    assert os.path.isfile(db), "no %s" % db
    assert os.path.isfile(key), "no %s" % key
    mode = stat.S_IMODE(os.stat(key).st_mode)
    assert mode == 0o600, "master key mode is %o, not 600" % mode


def test_healthz(server):
    r = server.request("GET", "/healthz")
    assert r.status == 200, r
    assert r.body.rstrip(b"\r\n") == b"ok", r
    assert_safe_headers(r, "GET /healthz")
    ctype = r.header("content-type").split(";")[0].strip().lower()
    assert ctype == "text/plain", r


def test_healthz_head(server):
    r = server.request("HEAD", "/healthz")
    assert r.status == 200, r
    assert r.body == b"", r
    assert_safe_headers(r, "HEAD /healthz")


@pytest.mark.parametrize("path", ["/no-such-page", "/api/v1/no-such-thing",
                                  "/healthz/extra"])
def test_unknown_path_404(server, path):
    r = server.request("GET", path)
    assert r.status == 404, r
    assert_safe_headers(r, "GET %s" % path)
    server.assert_alive()


def test_request_log_line(server):
    """One log line per request with method, route, status, bytes and ms;
    never a client address (beyond the listening line) or a user agent."""
    ua = {"User-Agent": USER_AGENT}
    assert server.request("GET", "/healthz", headers=ua).status == 200
    assert server.request("GET", "/no-such-page", headers=ua).status == 404
    assert server.request("PUT", "/healthz", body=b"x",
                          headers=ua).status == 405

    def logged(lines):
        req = [l for l in lines if all(f in l for f in LOG_FIELDS)]
        statuses = {m.group(1) for l in req
                    for m in [re.search(r"\bstatus=(\d+)", l)] if m}
        return req if {"200", "404", "405"} <= statuses else None

    req_lines = server.wait_for_stderr(logged)
    for line in req_lines:
        assert re.search(r"\bmethod=\S+", line), line
        assert re.search(r"\bbytes=\d+", line), line
        assert re.search(r"\bms=\d", line), line

    assert server.stop() == 0, server.stderr_text()
    for line in server.stderr_lines():
        assert USER_AGENT not in line and "7f3a9c" not in line, \
            "user agent logged: %r" % line
        if "listening" in line:
            continue
        assert "127.0.0.1" not in line, "client address logged: %r" % line


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT],
                         ids=["SIGTERM", "SIGINT"])
def test_signal_while_idle_exits_0_promptly(server, sig):
    started = time.monotonic()
    rc = server.stop(sig=sig, timeout=5)
    elapsed = time.monotonic() - started
    assert rc == 0, "exit %s after %s; stderr:\n%s" % (
        rc, signal.Signals(sig).name, server.stderr_text())
    assert elapsed < 5, "took %.1fs to stop" % elapsed


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT],
                         ids=["SIGTERM", "SIGINT"])
def test_repeated_signal_still_exits_0(start_server, sig):
    """The signal again and again until the process is gone (systemd
    repeating its stop, an impatient Ctrl-C): the later ones, which may
    arrive after the loop has ended while the pool and the store close,
    must not end the process by the signal instead of exit 0."""
    repeated = 0            # runs where a signal came after the first
    for _ in range(40):
        srv = start_server()
        sent = 0
        deadline = time.monotonic() + 10
        while srv.proc.poll() is None and time.monotonic() < deadline:
            srv.proc.send_signal(sig)
            sent += 1
            time.sleep(0.0005)
        rc = srv.stop(sig=sig, timeout=5)
        assert rc == 0, "exit %s after %d x %s; stderr:\n%s" % (
            rc, sent, signal.Signals(sig).name, srv.stderr_text())
        repeated += sent > 1
        if repeated == 3:
            break
    assert repeated > 0, "the process was always gone after one signal"


def test_second_serve_on_initialised_dir(start_server, tmp_path):
    """A data dir that `serve` initialised starts again as it is (serve
    initialises only an empty one)."""
    first = start_server()
    data = first.data_dir
    with open(os.path.join(data, "keys", "master.key"), "rb") as f:
        key = f.read()
    assert first.stop() == 0, first.stderr_text()
    second = start_server(data_dir=data)
    second.assert_alive()
    with open(os.path.join(data, "keys", "master.key"), "rb") as f:
        assert f.read() == key, "the master key was replaced"
