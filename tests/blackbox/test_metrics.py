# SPDX-License-Identifier: MIT
"""GET /metrics (issue 8): the Prometheus text exposition format 0.0.4,
parsed strictly here (every sample line, its family's TYPE, label syntax,
histogram buckets cumulative and ending in +Inf = _count); the counters
move after a stored tip, an intake refusal, a guard refusal and an LMTP
exchange; the queue gauges follow the database.  Reachable only from a
loopback peer whose request was not forwarded by a proxy, or with the
session of an admin or an auditor: everyone else gets the very 404 an
unknown path gets."""

import http.client
import json
import re
import smtplib
import socket
import time

import pytest

from harness import HOST, Server, finish_server, merged_config, write_config
from staff_helpers import (COOKIE, OWN_BUREAU, add_user, admin_password,
                           login)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\.)*)"')
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")


def parse_labels(text, line):
    labels, pos = {}, 0
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        assert m, "bad label syntax in %r" % line
        assert m.group(1) not in labels, "label twice in %r" % line
        labels[m.group(1)] = m.group(2)
        pos = m.end()
        if pos < len(text):
            assert text[pos] == ",", "bad label list in %r" % line
            pos += 1
    return labels


def family_of(name, types):
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[:-len(suffix)]
        if name.endswith(suffix) and types.get(base) == "histogram":
            return base
    return name


def parse_exposition(text):
    """{(name, frozenset(labels.items())): value}, checking the format."""
    assert text.endswith("\n"), "the exposition must end with a newline"
    types, samples, order = {}, {}, []
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            assert len(line.split(" ", 3)) == 4, line
            continue
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            assert kind in TYPES, line
            assert name not in types, "TYPE twice: %r" % line
            types[name] = kind
            continue
        assert not line.startswith("#"), "unknown comment %r" % line
        m = SAMPLE_RE.match(line)
        assert m, "not a sample line: %r" % line
        name, labels = m.group(1), parse_labels(m.group(2) or "", line)
        value = float(m.group(3))
        fam = family_of(name, types)
        assert fam in types, "sample before its TYPE: %r" % line
        key = (name, frozenset(labels.items()))
        assert key not in samples, "series twice: %r" % line
        samples[key] = value
        order.append((name, labels, value))
    check_histograms(types, order, samples)
    return samples


def check_histograms(types, order, samples):
    for fam, kind in types.items():
        if kind != "histogram":
            continue
        series = {}
        for name, labels, value in order:
            if name == fam + "_bucket":
                rest = {k: v for k, v in labels.items() if k != "le"}
                series.setdefault(frozenset(rest.items()), []).append(
                    (labels["le"], value))
        assert series, "histogram %s without buckets" % fam
        for rest, buckets in series.items():
            bounds = [float(le) for le, _ in buckets]
            counts = [v for _, v in buckets]
            assert bounds == sorted(bounds) and bounds[-1] == float("inf")
            assert counts == sorted(counts), (fam, rest, buckets)
            assert samples[(fam + "_count", rest)] == counts[-1]
            assert samples[(fam + "_sum", rest)] >= 0


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(server, headers=None):
    r = server.request("GET", "/metrics", headers=headers)
    assert r.status == 200, r
    assert r.header("Content-Type") == CONTENT_TYPE, r
    return parse_exposition(r.body.decode("utf-8"))


def not_found_body(server):
    r = server.request("GET", "/no-such-page-here")
    assert r.status == 404, r
    return r.body


def test_counters_move_after_a_submission_and_refusals(server):
    before = scrape(server)
    assert value(before, "tipline_workers") >= 1
    assert value(before, "tipline_inflight_budget_bytes") > 0
    assert value(before, "tipline_http_connections") >= 1

    # A stored tip (JSON API) and one refused by intake (no summary).
    ok = server.request("POST", "/api/v1/tips", body=json.dumps(
        {"summary": "指标测试", "details": "metrics test tip"}),
        headers={"Content-Type": "application/json"})
    assert ok.status == 201, ok
    bad = server.request("POST", "/api/v1/tips", body=json.dumps(
        {"details": "no summary"}), headers={"Content-Type":
                                             "application/json"})
    assert bad.status == 400, bad
    # Refused by the guard before any route: a body over the limit.
    big = server.raw(b"POST /api/v1/tips HTTP/1.1\r\nHost: t\r\n"
                     b"Content-Type: application/json\r\n"
                     b"Content-Length: 999999999\r\n\r\n")
    assert big.status == 413, big
    # An LMTP greeting and goodbye.
    lmtp = smtplib.LMTP(HOST, server.lmtp_port, timeout=10)
    try:
        assert lmtp.ehlo_or_helo_if_needed() is None
    finally:
        lmtp.quit()

    after = scrape(server)
    tips = "tipline_tips_total"
    assert value(after, tips, channel="api", outcome="stored") == \
        value(before, tips, channel="api", outcome="stored") + 1
    assert value(after, tips, channel="api", outcome="invalid") == \
        value(before, tips, channel="api", outcome="invalid") + 1
    assert value(after, tips, channel="web", outcome="stored") == \
        value(before, tips, channel="web", outcome="stored")
    assert value(after, "tipline_refusals_total", reason="too_large") == \
        value(before, "tipline_refusals_total", reason="too_large") + 1
    for code, n in (("201", 1), ("400", 1), ("413", 1)):
        assert value(after, "tipline_http_responses_total", code=code) == \
            value(before, "tipline_http_responses_total", code=code) + n
    dur = "tipline_http_request_duration_seconds_count"
    assert value(after, dur, route="submit") == \
        value(before, dur, route="submit") + 2
    assert value(after, dur, route="metrics") >= \
        value(before, dur, route="metrics") + 1
    for code in ("220", "221"):
        assert value(after, "tipline_lmtp_replies_total", code=code) == \
            value(before, "tipline_lmtp_replies_total", code=code) + 1
    # The queue gauges come from the database: one tip more, in total.
    statuses = [k for k in after if k[0] == "tipline_tips"]
    assert len(statuses) == 8, statuses
    assert sum(after[k] for k in statuses) == \
        sum(before.get(k, 0) for k in statuses) + 1
    assert ("tipline_outbox_pending", frozenset()) in after, "gauge missing"


def test_hidden_from_proxied_requests_without_a_staff_session(server):
    gone = not_found_body(server)
    for h in ({"X-Forwarded-For": "203.0.113.9"},
              {"Forwarded": "for=203.0.113.9"},
              {"X-Real-IP": "203.0.113.9"}):
        r = server.request("GET", "/metrics", headers=h)
        assert r.status == 404 and r.body == gone, (h, r)
        assert b"tipline_" not in r.body

    pw = admin_password(server)
    add_user(server, "jk_admin", "admin")
    add_user(server, "jk_auditor", "auditor")
    add_user(server, "jk_triage", "triage")
    add_user(server, "jk_officer", "officer", OWN_BUREAU)
    add_user(server, "jk_newadmin", "admin", must_change=True)
    proxied = {"X-Forwarded-For": "203.0.113.9"}
    for name, allowed in (("jk_admin", True), ("jk_auditor", True),
                          ("jk_triage", False), ("jk_officer", False),
                          ("jk_newadmin", False)):
        s = login(server, name, pw)
        h = dict(proxied, Cookie="%s=%s" % (COOKIE, s.token))
        r = server.request("GET", "/metrics", headers=h)
        if allowed:
            assert r.status == 200, (name, r)
            parse_exposition(r.body.decode("utf-8"))
        else:
            assert r.status == 404 and r.body == gone, (name, r)
    # A cookie that names no session is nobody.
    h = dict(proxied, Cookie="%s=%s" % (COOKIE, "0" * 64))
    r = server.request("GET", "/metrics", headers=h)
    assert r.status == 404 and r.body == gone, r


def non_loopback_ipv4():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))      # no packet is sent
        addr = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if addr.startswith("127.") or addr == "0.0.0.0" else addr


def get_from(addr, port, path, headers=None):
    conn = http.client.HTTPConnection(addr, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_a_peer_on_another_address_needs_an_auditor_or_admin(tmp_path):
    addr = non_loopback_ipv4()
    if addr is None:
        pytest.skip("this machine has no non-loopback IPv4 address")
    data = tmp_path / "data"
    data.mkdir()
    cfg = write_config(str(tmp_path / "tipline.ini"), merged_config())
    srv = Server(tmp_path, data, cfg, extra_args=("--http", "0.0.0.0:0"))
    try:
        port = int(srv.wait_for_stderr(lambda lines: next(
            (m.group(1) for m in (re.search(
                r"listening http=0\.0\.0\.0:(\d+)", x) for x in lines)
             if m), None)))
        srv.port = port
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if srv.request("GET", "/healthz", timeout=2).status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.05)   # polling against the deadline above
        gone = not_found_body(srv)
        status, body = get_from(addr, port, "/metrics")
        assert status == 404 and body == gone, (status, body[:200])
        status, body = get_from("127.0.0.1", port, "/metrics")
        assert status == 200 and b"tipline_tips_total" in body

        pw = admin_password(srv)
        add_user(srv, "remote_auditor", "auditor")
        add_user(srv, "remote_officer", "officer", OWN_BUREAU)
        for name, want in (("remote_auditor", 200), ("remote_officer", 404)):
            s = login(srv, name, pw)
            status, body = get_from(addr, port, "/metrics", {
                "Cookie": "%s=%s" % (COOKIE, s.token)})
            assert status == want, (name, status, body[:200])
            if want == 200:
                parse_exposition(body.decode("utf-8"))
        finish_server(srv)
    finally:
        if srv.returncode is None:
            srv.kill()


# Every family the README lists, with its type.
FAMILIES = {
    "tipline_tips_total": "counter",
    "tipline_refusals_total": "counter",
    "tipline_http_responses_total": "counter",
    "tipline_lmtp_replies_total": "counter",
    "tipline_http_request_duration_seconds": "histogram",
    "tipline_tips": "gauge",
    "tipline_outbox_pending": "gauge",
    "tipline_inflight_bytes": "gauge",
    "tipline_inflight_budget_bytes": "gauge",
    "tipline_worker_jobs": "gauge",
    "tipline_workers": "gauge",
    "tipline_http_connections": "gauge",
}


def test_every_family_and_the_live_gauges(server):
    """Each family is declared with its type; a body on its way holds its
    Content-Length in tipline_inflight_bytes until the connection goes."""
    r = server.request("GET", "/metrics")
    assert r.status == 200, r
    text = r.body.decode("utf-8")
    parse_exposition(text)
    for fam, kind in FAMILIES.items():
        assert "# TYPE %s %s\n" % (fam, kind) in text, fam

    idle = scrape(server)
    length = 300000
    s = socket.create_connection((HOST, server.port), timeout=10)
    try:
        s.sendall(b"POST /api/v1/tips HTTP/1.1\r\nHost: t\r\n"
                  b"Content-Type: application/json\r\n"
                  b"Content-Length: %d\r\n\r\n{" % length)
        deadline = time.monotonic() + 10
        while True:
            busy = scrape(server)
            if value(busy, "tipline_inflight_bytes") >= length or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.05)    # until the loop has read the head
        assert value(busy, "tipline_inflight_bytes") >= \
            value(idle, "tipline_inflight_bytes") + length, busy
        # Read on the loop once the scrape's own job has been answered.
        assert ("tipline_worker_jobs", frozenset()) in busy
        assert value(busy, "tipline_http_connections") >= 2
    finally:
        s.close()
    deadline = time.monotonic() + 10
    while True:
        after = scrape(server)
        if value(after, "tipline_inflight_bytes") < length or \
                time.monotonic() > deadline:
            break
        time.sleep(0.05)        # until the loop has seen the close
    assert value(after, "tipline_inflight_bytes") == \
        value(idle, "tipline_inflight_bytes"), after
