#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""HTTP intake benchmark (scripts/bench runs it; not a test).

Starts `tipline serve` on 127.0.0.1 with a fresh data directory under the
work directory given, then measures, in one run of one binary:

  healthz_rps         bare GET /healthz rate (wrk when installed, else
                      Python keep-alive clients): the yardstick
  text_tips_s         POST /api/v1/tips, JSON, text only
  mib_tips_s          POST /api/v1/tips, multipart with one 1 MiB file
  upload_mb_s         goodput of 20 MiB uploads (MB = 10^6 bytes of file
                      content stored per second, 4 at a time)
  healthz_p99_ms      p99 (and p50, max) latency of GET /healthz measured
                      by a separate process while 8 uploads of 20 MiB are
                      in flight all the time
  peak_rss_mib        the server's VmHWM at the end
  loop_cpu_s          CPU seconds the loop thread used in the whole run

Every loop is bounded in count and time and talks to 127.0.0.1 only.

    bench_http.py TIPLINE_BIN WORKDIR [--quick]
"""

import http.client
import json
import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import uuid

HOST = "127.0.0.1"
BUDGET_MIB = 256        # inflight_max_mb of the benchmark's server
UPLOAD_PIECE = 64 * 1024    # send() size of the 8 uploads beside the probe


def start_server(binary, workdir, extra_ini=""):
    """(proc, http port); proc.lmtp_port is the LMTP port (bench_lmtp.py).
    extra_ini is appended to the config (whole sections)."""
    data = os.path.join(workdir, "data")
    cfg = os.path.join(workdir, "bench.ini")
    with open(cfg, "w") as f:
        f.write("[server]\nworkers = 4\n[limits]\nattachment_max_mb = 20\n"
                "tip_max_mb = 21\ninflight_max_mb = %d\n"
                "submissions_per_hour = 0\n" % BUDGET_MIB + extra_ini)
    proc = subprocess.Popen([binary, "serve", "--data", data, "--config",
                             cfg, "--http", HOST + ":0", "--lmtp",
                             HOST + ":0"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    port = proc.lmtp_port = None
    deadline = time.monotonic() + 30
    while (port is None or proc.lmtp_port is None) and \
            time.monotonic() < deadline:
        line = proc.stderr.readline().decode("utf-8", "replace")
        m = re.search(r"listening (http|lmtp)=127\.0\.0\.1:(\d+)", line)
        if m and m.group(1) == "http":
            port = int(m.group(2))
        elif m:
            proc.lmtp_port = int(m.group(2))
    if port is None or proc.lmtp_port is None:
        proc.kill()
        sys.exit("bench: the server did not start")
    # Keep draining stderr (one log line per request).
    threading.Thread(target=lambda: [None for _ in proc.stderr],
                     daemon=True).start()
    return proc, port


def multipart(fields, files):
    boundary = "bench" + uuid.uuid4().hex
    out = []
    for k, v in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n"
                    "\r\n%s\r\n" % (boundary, k, v)).encode())
    for k, name, data in files:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; "
                    "filename=\"%s\"\r\nContent-Type: application/"
                    "octet-stream\r\n\r\n" % (boundary, k, name)).encode())
        out.append(data + b"\r\n")
    out.append(("--%s--\r\n" % boundary).encode())
    return "multipart/form-data; boundary=" + boundary, b"".join(out)


def text_file(size, seed):
    """size bytes of plain text (libmagic: text/plain), distinct per seed."""
    line = ("bench evidence line %08d abcdefghijklmnopqrstuvwxyz\n"
            % seed).encode()
    return (line * (size // len(line) + 1))[:size]


def post(port, path, ctype, body, timeout=120, piece=None):
    """POST body; with piece, in send() calls of that many bytes (as a
    client elsewhere on the network would deliver it in segments) rather
    than one sendall() of the whole body, whose loopback delivery runs
    inside that one system call on this machine's CPUs."""
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        if piece is None:
            conn.request("POST", path, body=body,
                         headers={"Content-Type": ctype})
        else:
            conn.putrequest("POST", path)
            conn.putheader("Content-Type", ctype)
            conn.putheader("Content-Length", str(len(body)))
            conn.endheaders()
            view = memoryview(body)
            for off in range(0, len(body), piece):
                conn.send(view[off:off + piece])
        r = conn.getresponse()
        r.read()
        return r.status
    finally:
        conn.close()


def run_clients(n_threads, per_thread, fn):
    """Run fn(i) per_thread times in each of n_threads; (count, seconds)."""
    errors = []

    def worker(t):
        for k in range(per_thread):
            try:
                st = fn(t * per_thread + k)
                if st != 201:
                    errors.append(st)
            except OSError as exc:
                errors.append(str(exc))
    threads = [threading.Thread(target=worker, args=(t,))
               for t in range(n_threads)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    dt = time.monotonic() - t0
    if errors:
        print("bench: %d errors, e.g. %r" % (len(errors), errors[:3]),
              file=sys.stderr)
    return n_threads * per_thread - len(errors), dt


def healthz_rate(port, seconds):
    if shutil.which("wrk"):
        out = subprocess.run(["wrk", "-t2", "-c16", "-d%ds" % seconds,
                              "http://%s:%d/healthz" % (HOST, port)],
                             capture_output=True, text=True).stdout
        m = re.search(r"Requests/sec:\s+([0-9.]+)", out)
        if m:
            return float(m.group(1)), "wrk -t2 -c16"
    count = [0]
    stop = time.monotonic() + seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        n = 0
        while time.monotonic() < stop:
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            n += 1
        count[0] += n
        conn.close()
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return count[0] / seconds, "python, 4 keep-alive clients"


def probe(port, seconds, queue):
    """Separate process: GET /healthz back to back on one keep-alive
    connection, every latency in ms."""
    lat = []
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        t0 = time.perf_counter()
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        lat.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.002)
    conn.close()
    queue.put(lat)


def uploader(port, stop_at, size, counter, lock):
    """Separate process: 20 MiB uploads back to back until stop_at.

    The uploaders run at nice 10: on this one 2-core machine the 8
    senders' loopback TCP work (which Linux charges to the sending
    process) would otherwise compete with the server's loop thread as
    eight more full-weight processes, and the probe would measure this
    machine's client load rather than the server.  In service the
    senders are other machines."""
    os.nice(10)
    seed = os.getpid()
    while time.time() < stop_at:
        ctype, body = multipart([("summary", "bench"), ("details", "b")],
                                [("attachments", "big.txt",
                                  text_file(size, seed))])
        seed += 1
        if post(port, "/api/v1/tips", ctype, body, timeout=300,
                piece=UPLOAD_PIECE) == 201:
            with lock:
                counter.value += 1


def loop_cpu_s(pid):
    """CPU seconds (user + system) of the server's loop thread (its main
    thread: the workers are threads of their own)."""
    with open("/proc/%d/task/%d/stat" % (pid, pid)) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: bench_http.py TIPLINE_BIN WORKDIR [--quick]")
    binary, workdir = argv[1], argv[2]
    quick = "--quick" in argv
    proc, port = start_server(binary, workdir)
    res = {}
    try:
        secs = 3 if quick else 8
        res["healthz_rps"], how = healthz_rate(port, secs)
        res["healthz_client"] = how

        n = 20 if quick else 100
        body_of = lambda i: json.dumps({  # noqa: E731
            "summary": "bench tip %d" % i,
            "details": "text only benchmark tip number %d" % i}).encode()
        done, dt = run_clients(4, n // 4, lambda i: post(
            port, "/api/v1/tips", "application/json", body_of(i)))
        res["text_tips_s"] = done / dt

        n = 12 if quick else 60
        mib = {}

        def one_mib(i):
            if i not in mib:
                mib[i] = multipart([("summary", "bench 1 MiB"),
                                    ("details", "x")],
                                   [("attachments", "f.txt",
                                     text_file(1 << 20, i))])
            return post(port, "/api/v1/tips", *mib[i])
        for i in range(n):
            one_mib(i)   # build the bodies first (and warm up)
        mib_bodies = dict(mib)
        done, dt = run_clients(4, n // 4, lambda i: post(
            port, "/api/v1/tips", *mib_bodies[i]))
        res["mib_tips_s"] = done / dt

        size = 20 << 20
        n = 4 if quick else 12
        bodies = [multipart([("summary", "bench 20 MiB"), ("details", "x")],
                            [("attachments", "big.txt", text_file(size, i))])
                  for i in range(n)]
        done, dt = run_clients(4, n // 4, lambda i: post(
            port, "/api/v1/tips", *bodies[i], timeout=300))
        res["upload_mb_s"] = done * size / 1e6 / dt
        del bodies

        seconds = 8 if quick else 20
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("i", 0)
        lock = ctx.Lock()
        stop_at = time.time() + seconds
        ups = [ctx.Process(target=uploader, args=(port, stop_at, size,
                                                  counter, lock))
               for _ in range(8)]
        for p in ups:
            p.start()
        time.sleep(2)    # let all eight be in flight
        q = ctx.Queue()
        pr = ctx.Process(target=probe, args=(port, seconds - 4, q))
        pr.start()
        lat = q.get()
        pr.join()
        for p in ups:
            p.join(timeout=600)
        lat.sort()
        res["healthz_p50_ms"] = statistics.median(lat)
        res["healthz_p99_ms"] = lat[int(len(lat) * 0.99) - 1]
        res["healthz_max_ms"] = lat[-1]
        res["healthz_samples"] = len(lat)
        res["uploads_during_probe"] = counter.value
        res["peak_rss_mib"] = peak_rss_mib(proc.pid)
        res["budget_mib"] = BUDGET_MIB
        res["loop_cpu_s"] = loop_cpu_s(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
    for k, v in res.items():
        print("%s=%s" % (k, ("%.2f" % v) if isinstance(v, float) else v))
    print("text_tips_vs_healthz=%.4f" % (res["text_tips_s"] /
                                         res["healthz_rps"]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
