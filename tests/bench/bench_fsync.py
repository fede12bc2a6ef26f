#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The fsync baseline of scripts/bench: how many durable small writes per
second the data directory's disk takes (a 4 KiB append followed by
fsync, for SECONDS, in a fresh file under DIR).  Every acknowledged tip
costs at least two of these (the blob file and the SQLite commit), so it
bounds the tip rates that scripts/bench reports beside it.

    bench_fsync.py DIR [SECONDS]

Prints fsync_per_s=N and fsync_ms_p50= / fsync_ms_p99=.
"""

import os
import statistics
import sys
import tempfile
import time


def main(argv):
    if len(argv) < 2:
        print("usage: bench_fsync.py DIR [SECONDS]", file=sys.stderr)
        return 2
    seconds = float(argv[2]) if len(argv) > 2 else 3.0
    block = os.urandom(4096)
    fd, path = tempfile.mkstemp(prefix="bench_fsync.", dir=argv[1])
    lat = []
    try:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t0 = time.monotonic()
            os.write(fd, block)
            os.fsync(fd)
            lat.append(time.monotonic() - t0)
    finally:
        os.close(fd)
        os.unlink(path)
    lat.sort()
    print("fsync_per_s=%.1f" % (len(lat) / sum(lat)))
    print("fsync_ms_p50=%.2f" % (statistics.median(lat) * 1000))
    print("fsync_ms_p99=%.2f" % (lat[max(0, int(len(lat) * 0.99) - 1)] * 1000))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
