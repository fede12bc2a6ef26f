# SPDX-License-Identifier: MIT
"""Black-box harness: the real tipline binary on real loopback ports.

Helpers shared by the tests; the pytest fixtures are in conftest.py.

Run by meson (suite 'blackbox') as `/usr/bin/python3 -m pytest` with
TIPLINE_BIN set to the built binary; by hand:

    TIPLINE_BIN=build/tipline /usr/bin/python3 -m pytest tests/blackbox

Every server is started as

    TIPLINE_BIN serve --data DIR --config CFG \
        --http 127.0.0.1:0 --lmtp 127.0.0.1:0

in a fresh temporary directory; the HTTP port is read back from the line
`listening http=127.0.0.1:PORT` that the binary prints on stderr at start-up
(and the LMTP port, Server.lmtp_port, from `listening lmtp=127.0.0.1:PORT`),
then /healthz is polled until it answers.  At the end the server gets SIGTERM
and must exit 0 (under the sanitizer build a leak or a UBSan finding turns
that into a failure).

Stdlib only: http.client for well-formed requests, raw sockets for the
malformed ones.  No sleeps as synchronisation: everything waits on an event
or polls against a deadline.
"""

import http.client
import os
import re
import select
import signal
import socket
import sqlite3
import struct
import subprocess
import threading
import time
import uuid
import zlib

import pytest

HOST = "127.0.0.1"
LISTENING_RE = re.compile(r"listening http=127\.0\.0\.1:(\d+)")
LMTP_LISTENING_RE = re.compile(r"listening lmtp=127\.0\.0\.1:(\d+)")
START_TIMEOUT = 30.0      # generous for the sanitizer build
STOP_TIMEOUT = 10.0
REQUEST_TIMEOUT = 10.0
RUN_TIMEOUT = 60.0

# What a sanitizer prints when it finds something; any of these on a child's
# stderr fails the test even if the exit code happens to be the expected one.
SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "runtime error:",
    "WARNING: ThreadSanitizer",
)

# The configuration every test server starts with unless a test says
# otherwise.  Small limits keep the 413 tests cheap; no rate limit so that
# tests do not depend on each other's submissions.
DEFAULT_CONFIG = {
    "server": {
        "workers": "2",
    },
    "limits": {
        "attachment_max_mb": "1",
        "tip_max_mb": "1",
        "submissions_per_hour": "0",
    },
}


# --------------------------------------------------------------------------
# The binary and one-shot subcommands

def tipline_bin():
    path = os.environ.get("TIPLINE_BIN")
    if not path:
        pytest.fail("TIPLINE_BIN is not set (meson test sets it; by hand: "
                    "TIPLINE_BIN=build/tipline)", pytrace=False)
    path = os.path.abspath(path)
    if not os.access(path, os.X_OK):
        pytest.fail("TIPLINE_BIN=%s is not an executable" % path,
                    pytrace=False)
    return path


def child_env(**extra):
    """The environment for a child: ours (sanitizer options included) minus
    TIPLINE_DATA, so that no test depends on the caller's shell."""
    env = dict(os.environ)
    env.pop("TIPLINE_DATA", None)
    env.setdefault("LC_ALL", "C.UTF-8")
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def assert_no_sanitizer_report(text, what):
    for marker in SANITIZER_MARKERS:
        assert marker not in text, "%s: sanitizer report:\n%s" % (what, text)


def run_tipline(*args, cwd=None, env=None, input=None, timeout=RUN_TIMEOUT):
    """Run `tipline ARGS...` to completion; return the CompletedProcess with
    text stdout/stderr.  Fails the test on a sanitizer report or a hang."""
    cmd = [tipline_bin()] + [str(a) for a in args]
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env or child_env(),
                              input=input, capture_output=True, text=True,
                              errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        pytest.fail("%s did not finish within %ss; stderr:\n%s"
                    % (" ".join(cmd), timeout, exc.stderr))
    assert_no_sanitizer_report(proc.stderr, " ".join(cmd))
    return proc


# --------------------------------------------------------------------------
# Config files

def write_config(path, sections=None, text=None):
    """Write an INI config to path: either literal text, or sections as
    {section: {key: value}} (DEFAULT_CONFIG when neither is given)."""
    if text is None:
        if sections is None:
            sections = DEFAULT_CONFIG
        out = []
        for section, keys in sections.items():
            out.append("[%s]" % section)
            for key, value in keys.items():
                out.append("%s = %s" % (key, value))
            out.append("")
        text = "\n".join(out)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


def merged_config(overrides=None):
    """DEFAULT_CONFIG with overrides ({section: {key: value}}) applied."""
    merged = {s: dict(k) for s, k in DEFAULT_CONFIG.items()}
    for section, keys in (overrides or {}).items():
        merged.setdefault(section, {}).update(keys)
    return merged


# --------------------------------------------------------------------------
# HTTP helpers

class Response:
    """A parsed HTTP response: status, headers (lower-case name -> list of
    values, in order), body bytes."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def header(self, name):
        values = self.headers.get(name.lower())
        return values[-1] if values else None

    def __repr__(self):
        return "<Response %d %s %r body=%r>" % (
            self.status, self.reason, self.headers, self.body[:200])


def assert_safe_headers(resp, what=""):
    """The contract's rule for every response: an explicit Content-Type,
    X-Content-Type-Options: nosniff, and never libevent's default
    `text/html; charset=ISO-8859-1`."""
    ctype = resp.header("content-type")
    assert ctype, "%s: no Content-Type: %r" % (what, resp)
    for value in resp.headers.get("content-type", []):
        assert "iso-8859-1" not in value.lower(), \
            "%s: default charset leaked: %r" % (what, resp)
    nosniff = resp.headers.get("x-content-type-options", [])
    assert any(v.strip().lower() == "nosniff" for v in nosniff), \
        "%s: no X-Content-Type-Options: nosniff: %r" % (what, resp)


def http_request(port, method, path, body=None, headers=None,
                 timeout=REQUEST_TIMEOUT):
    """One well-formed request through http.client; returns a Response."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        body = r.read()
        headers = {}
        for name, value in r.getheaders():
            headers.setdefault(name.lower(), []).append(value)
        return Response(r.status, r.reason, headers, body)
    finally:
        conn.close()


def _parse_head(buf):
    """Parse the status line and headers of buf (which holds them whole);
    returns (status, reason, headers, body_offset)."""
    end = buf.index(b"\r\n\r\n")
    lines = buf[:end].decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    assert len(parts) >= 2 and parts[0].startswith("HTTP/"), \
        "not an HTTP response: %r" % buf[:200]
    status = int(parts[1])
    reason = parts[2] if len(parts) > 2 else ""
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return status, reason, headers, end + 4


def _response_complete(buf, head_request=False):
    if b"\r\n\r\n" not in buf:
        return False
    status, _, headers, off = _parse_head(buf)
    if head_request or status in (204, 304) or 100 <= status < 200:
        return True
    te = ",".join(headers.get("transfer-encoding", [])).lower()
    if "chunked" in te:
        return buf.endswith(b"0\r\n\r\n")
    cl = headers.get("content-length")
    if cl:
        return len(buf) - off >= int(cl[-1])
    return False    # delimited by close


def _dechunk(data):
    out = b""
    while data:
        line, _, rest = data.partition(b"\r\n")
        size = int(line.split(b";")[0], 16)
        if size == 0:
            break
        out += rest[:size]
        data = rest[size + 2:]
    return out


def raw_exchange(port, data, timeout=REQUEST_TIMEOUT, chunk=64 * 1024):
    """Send raw bytes and read one response, without ever blocking on a
    server that answers early: sending stops when the response is complete
    or the server closes.  Returns a Response, or None if the server closed
    the connection without any answer."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.setblocking(False)
    view = memoryview(data)
    sent = 0
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(
                    "no complete response within %ss (sent %d of %d bytes, "
                    "got %r)" % (timeout, sent, len(data), buf[:300]))
            wlist = [sock] if sent < len(data) else []
            readable, writable, _ = select.select([sock], wlist, [], left)
            if readable:
                try:
                    piece = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not piece:
                    break
                buf += piece
                if _response_complete(buf):
                    break
            if writable:
                try:
                    sent += sock.send(view[sent:sent + chunk])
                except (BrokenPipeError, ConnectionResetError):
                    sent = len(data)    # the server stopped reading; read on
                except BlockingIOError:
                    pass
    finally:
        sock.close()
    if not buf:
        return None
    assert b"\r\n\r\n" in buf, "truncated response: %r" % buf[:300]
    status, reason, headers, off = _parse_head(buf)
    body = buf[off:]
    if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
        body = _dechunk(body)
    return Response(status, reason, headers, body)


def slow_exchange(port, pieces, gap=0.1, timeout=REQUEST_TIMEOUT):
    """Like raw_exchange, but the request is sent in pieces with a pause
    before each one, as a slow client (or a proxy) would: the server must
    answer bytes that arrive after it accepted the connection.  The pauses
    shape the input; they synchronise nothing."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    buf = b""
    try:
        for piece in pieces:
            time.sleep(gap)
            sock.sendall(piece)
        deadline = time.monotonic() + timeout
        while not _response_complete(buf):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no complete response within %ss to a "
                                     "request sent in pieces (got %r)"
                                     % (timeout, buf[:300]))
            sock.settimeout(left)
            try:
                piece = sock.recv(65536)
            except socket.timeout:
                continue
            if not piece:
                break
            buf += piece
    finally:
        sock.close()
    if not buf:
        return None
    status, reason, headers, off = _parse_head(buf)
    return Response(status, reason, headers, buf[off:])


# --------------------------------------------------------------------------
# Test data

def make_png(width=48, height=48):
    """A small, real PNG (RGB, a gradient) built with zlib."""
    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xffffffff))
    rows = b"".join(
        b"\x00" + b"".join(bytes(((x * 5) & 255, (y * 5) & 255, 128))
                           for x in range(width))
        for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height,
                                         8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9))
            + chunk(b"IEND", b""))


def tip_mail(text, subject, sender="tipster@example.org",
             domain="example.org", png=None):
    """The bytes of one UTF-8 mail tip to tips@localhost: text, an
    encoded-word subject, a fresh Message-ID at domain; png=(file name,
    width, height) attaches a real PNG."""
    from email.header import Header
    from email.mime.image import MIMEImage
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    from email.utils import formatdate, make_msgid
    if png is not None:
        msg = MIMEMultipart()
        msg.attach(MIMEText(text, "plain", "utf-8"))
        img = MIMEImage(make_png(png[1], png[2]), "png")
        img.add_header("Content-Disposition", "attachment", filename=png[0])
        msg.attach(img)
    else:
        msg = MIMEText(text, "plain", "utf-8")
    msg["From"] = sender
    msg["To"] = "tips@localhost"
    msg["Subject"] = Header(subject, "utf-8")
    msg["Message-ID"] = make_msgid(domain=domain)
    msg["Date"] = formatdate()
    return msg.as_bytes()


def encode_multipart(fields, files=()):
    """multipart/form-data (RFC 7578).  fields: [(name, str)], files:
    [(field, filename, content_type, bytes)].  Returns (content_type, body)."""
    boundary = "----tipline-test-" + uuid.uuid4().hex
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n"
                    "\r\n" % (boundary, name)).encode("utf-8"))
        out.append(value.encode("utf-8") + b"\r\n")
    for name, filename, ctype, content in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                    "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n"
                    % (boundary, name, filename, ctype)).encode("utf-8"))
        out.append(content + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode("ascii"))
    return "multipart/form-data; boundary=%s" % boundary, b"".join(out)


def blob_files(data_dir):
    """Committed blob files: under DATA/blobs/, not in blobs/tmp, named by
    32 lower-case hex characters."""
    root = os.path.join(str(data_dir), "blobs")
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if os.path.relpath(dirpath, root) == ".":
            dirnames[:] = [d for d in dirnames if d != "tmp"]
        for name in filenames:
            if re.fullmatch(r"[0-9a-f]{32}", name):
                found.append(os.path.join(dirpath, name))
    return sorted(found)


# --------------------------------------------------------------------------
# A running server

class Server:
    """A `tipline serve` child.  stderr is read by a thread into lines (the
    pipe must never fill up and stall the server)."""

    def __init__(self, workdir, data_dir, config_path, extra_args=(),
                 env=None, preexec_fn=None):
        """preexec_fn runs in the child before exec (e.g. to lower a
        resource limit)."""
        self.workdir = str(workdir)
        self.data_dir = str(data_dir)
        self.config_path = str(config_path)
        self.port = None
        self.lmtp_port = None
        self.returncode = None
        self._lines = []
        self._eof = False
        self._cond = threading.Condition()
        cmd = [tipline_bin(), "serve", "--data", self.data_dir,
               "--config", self.config_path,
               "--http", "%s:0" % HOST, "--lmtp", "%s:0" % HOST]
        cmd += [str(a) for a in extra_args]
        self.cmd = cmd
        self._stdout = open(os.path.join(self.workdir, "serve.stdout"), "wb")
        self.proc = subprocess.Popen(
            cmd, cwd=self.workdir, env=env or child_env(),
            stdin=subprocess.DEVNULL, stdout=self._stdout,
            stderr=subprocess.PIPE, start_new_session=True,
            preexec_fn=preexec_fn)
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    # ---- stderr

    def _read_stderr(self):
        for raw in iter(self.proc.stderr.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            with self._cond:
                self._lines.append(line)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def stderr_lines(self):
        with self._cond:
            return list(self._lines)

    def stderr_text(self):
        return "\n".join(self.stderr_lines())

    def wait_for_stderr(self, predicate, timeout=REQUEST_TIMEOUT):
        """Wait until predicate(list of lines) is true; return its value.
        Fails on timeout or when stderr closes first."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(list(self._lines))
                if value:
                    return value
                left = deadline - time.monotonic()
                if self._eof or left <= 0:
                    break
                self._cond.wait(left)
        pytest.fail("stderr condition not met (%s); exit=%s; stderr:\n%s"
                    % ("closed" if self._eof else "timeout",
                       self.proc.poll(), self.stderr_text()))

    # ---- start-up

    def wait_ready(self, timeout=START_TIMEOUT):
        def listening(lines):
            for line in lines:
                m = LISTENING_RE.search(line)
                if m:
                    return m.group(1)
            return None
        port = int(self.wait_for_stderr(listening, timeout))
        assert port != 0, "server reported port 0: %s" % self.stderr_text()
        self.port = port
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                r = http_request(self.port, "GET", "/healthz", timeout=2)
                if r.status == 200:
                    self.lmtp_port = self._lmtp_port()
                    return self
                last = r
            except OSError as exc:
                last = exc
            time.sleep(0.02)   # polling against the deadline above
        pytest.fail("/healthz never answered 200 (last: %r); exit=%s; "
                    "stderr:\n%s" % (last, self.proc.poll(),
                                     self.stderr_text()))

    def _lmtp_port(self):
        """The LMTP port from the `listening lmtp=` line, printed before
        the server answers anything (so before the `started` line), or
        None if the binary has none."""
        def seen(lines):
            for line in lines:
                m = LMTP_LISTENING_RE.search(line)
                if m:
                    return ("lmtp", int(m.group(1)))
            if any(" started " in line for line in lines):
                return ("none", None)
            return None
        return self.wait_for_stderr(seen)[1]

    # ---- requests

    @property
    def base_url(self):
        return "http://%s:%d" % (HOST, self.port)

    def request(self, method, path, body=None, headers=None,
                timeout=REQUEST_TIMEOUT):
        return http_request(self.port, method, path, body, headers, timeout)

    def raw(self, data, timeout=REQUEST_TIMEOUT):
        return raw_exchange(self.port, data, timeout)

    def assert_alive(self):
        """The server still answers GET /healthz with 200 ok."""
        assert self.proc.poll() is None, \
            "server exited (%s); stderr:\n%s" % (self.proc.returncode,
                                                 self.stderr_text())
        r = self.request("GET", "/healthz")
        assert r.status == 200 and r.body.strip() == b"ok", r

    # ---- shutdown

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Signal the server and wait for it; returns the exit code (also
        kept in self.returncode).  Kills it and fails on a hang."""
        if self.returncode is not None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail("server did not exit within %ss of %s; stderr:\n%s"
                        % (timeout, signal.Signals(sig).name,
                           self.stderr_text()))
        self._reader.join(5)
        self._stdout.close()
        assert_no_sanitizer_report(self.stderr_text(), "tipline serve")
        return self.returncode

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.returncode = self.proc.wait()
        self._reader.join(5)
        self._stdout.close()


def launch_server(workdir, config=None, config_text=None, data_dir=None,
                  extra_args=(), env=None):
    """Start a server in workdir (data in workdir/data unless given, which
    is created empty) and wait until it answers /healthz."""
    workdir = str(workdir)
    if data_dir is None:
        data_dir = os.path.join(workdir, "data")
        os.makedirs(data_dir, exist_ok=True)
    cfg = os.path.join(workdir, "tipline.ini")
    if config_text is not None:
        write_config(cfg, text=config_text)
    else:
        write_config(cfg, merged_config(config))
    server = Server(workdir, data_dir, cfg, extra_args, env)
    try:
        server.wait_ready()
    except BaseException:
        server.kill()
        raise
    return server


def finish_server(server):
    """Teardown: SIGTERM, and the exit code must be 0."""
    if server.returncode is None:
        rc = server.stop()
    else:
        rc = server.returncode
    assert rc == 0, "tipline serve exited %s after SIGTERM; stderr:\n%s" % (
        rc, server.stderr_text())


def serving(workdir, config=None):
    """Generator for a fixture: a server launched in workdir, yielded,
    then stopped with SIGTERM (exit 0 required; killed if it would not
    stop)."""
    srv = launch_server(workdir, config)
    try:
        yield srv
    finally:
        try:
            finish_server(srv)
        finally:
            if srv.returncode is None:
                srv.kill()


# --------------------------------------------------------------------------
# The database, read-only (plaintext columns only: content is sealed)

def db_query(data_dir, sql, params=()):
    """Run one read-only query on DATA/tipline.db with Debian's sqlite3
    module; returns the rows.  Safe while the server runs (WAL)."""
    path = os.path.join(str(data_dir), "tipline.db")
    con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    # A wrong byte in a text column must fail the test's assertion, with
    # the value shown, not the query.
    con.text_factory = lambda b: b.decode("utf-8", "replace")
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def db_count(data_dir, table, where="1", params=()):
    """SELECT count(*) FROM table WHERE where."""
    return db_query(data_dir, "SELECT count(*) FROM %s WHERE %s"
                    % (table, where), params)[0][0]


class DatabaseLock:
    """Hold the database's write lock from the test process (BEGIN
    EXCLUSIVE on a connection of our own) until release(): a transient
    fault the server must answer with "try again later".  Works as root,
    where file permissions would not."""

    def __init__(self, data_dir):
        path = os.path.join(str(data_dir), "tipline.db")
        self.con = sqlite3.connect(path, timeout=10, isolation_level=None)
        self.con.execute("BEGIN EXCLUSIVE")

    def release(self):
        if self.con is not None:
            self.con.execute("ROLLBACK")
            self.con.close()
            self.con = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()
