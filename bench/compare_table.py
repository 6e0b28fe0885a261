#!/usr/bin/env python3
"""Reads the side-by-side results of bench/compare-pytorch.sh (one JSON object per line on stdin:
workload, precision, ours, pytorch), prints the table on stderr and one JSON summary on stdout."""
import json
import sys


def main() -> int:
    rows = [json.loads(line) for line in sys.stdin if line.strip()]
    header = ("workload", "prec", "ours sent/s", "pytorch sent/s", "ratio", "ours RSS MB", "pytorch RSS MB", "RSS ratio")
    print("{:<8} {:<5} {:>12} {:>15} {:>6} {:>12} {:>15} {:>9}".format(*header), file=sys.stderr)
    summary = []
    for r in rows:
        ours, theirs = r["ours"], r["pytorch"]
        speed = ours["sentences_per_s"] / theirs["sentences_per_s"]
        rss = ours["peak_rss_mb"] / theirs["peak_rss_mb"]
        print("{:<8} {:<5} {:>12.1f} {:>15.1f} {:>6.2f} {:>12.0f} {:>15.0f} {:>9.2f}".format(
            r["workload"], r["precision"], ours["sentences_per_s"], theirs["sentences_per_s"], speed,
            ours["peak_rss_mb"], theirs["peak_rss_mb"], rss), file=sys.stderr)
        summary.append({**r, "speed_ratio": speed, "rss_ratio": rss})
    print(json.dumps({"framework": rows[0]["pytorch"]["framework"] if rows else None, "results": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
