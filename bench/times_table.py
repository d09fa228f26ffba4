#!/usr/bin/env python3
"""Side-by-side table from `qatrt bench` / `bench/ort_bench.js` --exportTimes files (standard library only).

usage: times_table.py BASELINE_LABEL LABEL:BATCH:FILE.json ...
Both tools write [{startMs, endMs, latencyMs}, ...] per timed iteration; images/s = batch * iterations /
(last end - first start), the throughput both tools print. Ratios are against BASELINE_LABEL at the same
batch size."""
import json
import statistics
import sys


def summarize(path, batch):
    with open(path) as f:
        rows = json.load(f)
    walltime_s = (rows[-1]["endMs"] - rows[0]["startMs"]) / 1000.0
    return {"images_per_s": batch * len(rows) / walltime_s,
            "median_ms": statistics.median(r["latencyMs"] for r in rows),
            "iterations": len(rows)}


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    baseline = argv[1]
    runs = []
    for spec in argv[2:]:
        label, batch, path = spec.split(":", 2)
        runs.append((label, int(batch), summarize(path, int(batch))))
    base = {batch: s["images_per_s"] for label, batch, s in runs if label == baseline}
    print(f"{'runtime / model':34s} {'batch':>5s} {'images/s':>10s} {'median ms':>10s} {'iters':>6s} "
          f"{'vs ' + baseline:>22s}")
    for label, batch, s in sorted(runs, key=lambda r: (r[1], -r[2]["images_per_s"])):
        ratio = f"{s['images_per_s'] / base[batch]:.2f}x" if batch in base else "-"
        print(f"{label:34s} {batch:5d} {s['images_per_s']:10.2f} {s['median_ms']:10.2f} {s['iterations']:6d} "
              f"{ratio:>22s}")


if __name__ == "__main__":
    main(sys.argv)
