#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""The closing table of scripts/bench: every figure the benchmarks printed
(key=value words, one or more per line, read from FILE) beside the baseline
measured in the same run, as a Markdown table for the README.

    bench_table.py FILE
"""

import sys

# (label, key, unit, baseline label, baseline key)
ROWS = [
    ("blob store write", "blob_store_put_mib_s", "MiB/s",
     "raw secretstream", "raw_secretstream_mib_s"),
    ("text-only tips", "text_tips_s", "tips/s",
     "bare GET /healthz", "healthz_rps"),
    ("text-only tips", "text_tips_s", "tips/s",
     "fsync of the data disk", "fsync_per_s"),
    ("tips with a 1 MiB file", "mib_tips_s", "tips/s",
     "bare GET /healthz", "healthz_rps"),
    ("20 MiB upload goodput", "upload_mb_s", "MB/s",
     "raw secretstream (MB/s)", "raw_secretstream_mb_s"),
    ("GET /healthz p99, 8 uploads in flight", "healthz_p99_ms", "ms",
     "target", "target_healthz_p99_ms"),
    ("peak RSS, 8 uploads in flight", "peak_rss_mib", "MiB",
     "target (64 MiB + budget)", "target_rss_mib"),
    ("LMTP, 5 KiB text", "lmtp_text_msgs_s", "msgs/s",
     "GMime parse only", "gmime_text_msgs_s"),
    ("LMTP, 5 MiB with PDF", "lmtp_pdf_msgs_s", "msgs/s",
     "GMime parse only", "gmime_pdf_msgs_s"),
    ("routing decisions (5 000 institutions)", "routing_decisions_per_s",
     "/s", "", None),
]


def read_figures(path):
    fig = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            words = dict(w.split("=", 1) for w in line.split() if "=" in w)
            if "lmtp_msgs_s" in words:      # one line per message kind
                kind = "pdf" if "pdf" in words.get("message", "") else "text"
                fig["lmtp_%s_msgs_s" % kind] = words["lmtp_msgs_s"]
                fig["gmime_%s_msgs_s" % kind] = words["gmime_parse_msgs_s"]
            else:
                fig.update(words)
    if "raw_secretstream_mib_s" in fig:
        fig["raw_secretstream_mb_s"] = "%.1f" % (
            float(fig["raw_secretstream_mib_s"]) * 1.048576)
    fig.setdefault("target_healthz_p99_ms", "10")
    if "budget_mib" in fig:
        fig["target_rss_mib"] = str(64 + int(float(fig["budget_mib"])))
    return fig


def main(argv):
    fig = read_figures(argv[1])
    print("| figure | value | baseline | baseline value | ratio |")
    print("|---|---|---|---|---|")
    for label, key, unit, blabel, bkey in ROWS:
        if key not in fig:
            continue
        value = float(fig[key])
        base = fig.get(bkey) if bkey else None
        ratio = ("%.3f" % (value / float(base))
                 if base and float(base) > 0 else "")
        print("| %s | %s %s | %s | %s | %s |" % (
            label, fig[key], unit, blabel, base or "", ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
