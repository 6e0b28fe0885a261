#!/usr/bin/env python3
"""Reads the side-by-side results of bench/compare-pytorch.sh (one JSON object per line on stdin:
workload, shape, precision, ours, pytorch; one line per round), prints the table on stderr and one
JSON summary on stdout. Per workload, shape and precision, each side's fastest round counts and its
largest peak RSS; every round's throughput (sentences or images per second) and the load averages
before each side's run are kept in the summary."""
import json
import sys


def best_of(key, group):
    """One row from a workload's rounds: each side's fastest run, with its largest peak RSS."""
    row = {"workload": key[0], "shape": key[1], "precision": key[2], "rounds": len(group),
           "load_rounds": [r.get("load") for r in group]}
    for side in ("ours", "pytorch"):
        runs = [r[side] for r in group]
        fastest = max(runs, key=lambda run: run["sentences_per_s"])
        row[side] = {**fastest, "peak_rss_mb": max(run["peak_rss_mb"] for run in runs),
                     "sentences_per_s_rounds": [run["sentences_per_s"] for run in runs]}
    return row


def main() -> int:
    rounds = [json.loads(line) for line in sys.stdin if line.strip()]
    groups = {}
    for r in rounds:
        groups.setdefault((r["workload"], r.get("shape", "minilm"), r["precision"]), []).append(r)
    rows = [best_of(key, group) for key, group in groups.items()]
    header = ("workload", "shape", "prec", "ours /s", "pytorch /s", "ratio", "ours RSS MB", "pytorch RSS MB", "RSS ratio")
    print("{:<8} {:<15} {:<5} {:>10} {:>10} {:>6} {:>12} {:>15} {:>9}".format(*header), file=sys.stderr)
    summary = []
    for r in rows:
        ours, theirs = r["ours"], r["pytorch"]
        speed = ours["sentences_per_s"] / theirs["sentences_per_s"]
        rss = ours["peak_rss_mb"] / theirs["peak_rss_mb"]
        print("{:<8} {:<15} {:<5} {:>10.1f} {:>10.1f} {:>6.2f} {:>12.0f} {:>15.0f} {:>9.2f}".format(
            r["workload"], r["shape"], r["precision"], ours["sentences_per_s"], theirs["sentences_per_s"], speed,
            ours["peak_rss_mb"], theirs["peak_rss_mb"], rss), file=sys.stderr)
        summary.append({**r, "speed_ratio": speed, "rss_ratio": rss})
    print(json.dumps({"framework": rows[0]["pytorch"]["framework"] if rows else None, "results": summary}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
