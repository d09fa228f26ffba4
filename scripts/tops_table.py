#!/usr/bin/env python3
"""Markdown table of a `qatrt bench --backend cuda --exportProfile F.json` profile: per layer, in network order,
its median time, MACs, achieved TOPS and the share of a measured peak; then the totals and the layers that take
the most time, and the time and TOPS per op. Standard library only; the table docs/results.md carries.

usage: tops_table.py PROFILE.json [--peak int8_peak.json] [--top 10]
PROFILE.json: trtexec's profile format as qatrt writes it ([{"count": runs}, {"name", "op", "medianMs",
"percentage", "macs"?, ...}, ...]); "macs" is present on layers that multiply-accumulate (the batch included).
TOPS = 2·macs / median time. The peak is bench/int8_peak_torch.py's --json (its int8 "best_tops"); without it
the "% of peak" column is left out."""
import argparse
import json
import sys


def load_profile(path):
    with open(path) as f:
        rows = json.load(f)
    if not isinstance(rows, list) or not rows or "count" not in rows[0]:
        sys.exit(f"{path}: not a profile (expected [{{\"count\": N}}, {{\"name\": ...}}, ...])")
    layers = rows[1:]
    for i, layer in enumerate(layers):
        missing = [key for key in ("name", "op", "medianMs") if key not in layer]
        if missing:
            sys.exit(f"{path}: layer {i} ({layer.get('name', '?')}) lacks {', '.join(missing)}")
    return rows[0]["count"], layers


def load_peak(path):
    with open(path) as f:
        peak = json.load(f)
    try:
        int8 = peak["int8"]
        size = "x".join(str(v) for v in int8["best_size"])
        return int8["best_tops"], f"{peak['device']}, {int8['library']} {size}"
    except KeyError as e:
        sys.exit(f"{path}: not a bench/int8_peak_torch.py result (no {e})")


def tops(macs, ms):
    return 2.0 * macs / (ms * 1e-3) / 1e12 if macs and ms > 0 else None


def cells(layer, total_ms, peak):
    """median ms, % of time, MACs (G), TOPS[, % of peak] of one layer (or of a total)."""
    macs, ms = layer.get("macs", 0), layer["medianMs"]
    rate = tops(macs, ms)
    row = [f"{ms:.4f}", f"{100.0 * ms / total_ms:.1f}" if total_ms > 0 else "–",
           f"{macs / 1e9:.3f}" if macs else "–", f"{rate:.1f}" if rate else "–"]
    if peak:
        row.append(f"{100.0 * rate / peak:.1f}" if rate else "–")
    return row


def table(header, rows):
    numeric = [h not in ("layer", "op") for h in header]
    lines = ["| " + " | ".join(header) + " |",
             "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("profile")
    parser.add_argument("--peak", help="bench/int8_peak_torch.py --json output")
    parser.add_argument("--top", type=int, default=10, help="how many of the slowest layers to list")
    args = parser.parse_args()
    runs, layers = load_profile(args.profile)
    peak, peak_source = load_peak(args.peak) if args.peak else (None, None)

    total_ms = sum(l["medianMs"] for l in layers)
    mac_layers = [l for l in layers if l.get("macs", 0) > 0]
    totals = {"medianMs": total_ms, "macs": sum(l["macs"] for l in mac_layers)}
    mac_totals = {"medianMs": sum(l["medianMs"] for l in mac_layers), "macs": totals["macs"]}

    header = ["#", "layer", "op", "median ms", "% of time", "MACs (G)", "TOPS"] + (["% of peak"] if peak else [])
    print(f"Profile {args.profile}: {len(layers)} layers, median of {runs} eager runs per layer.")
    if peak:
        print(f"Peak: {peak:.1f} TOPS, measured ({peak_source}).")
    else:
        print("No peak given (--peak int8_peak.json): no % of peak column.")
    print()
    rows = [[i + 1, l["name"], l["op"]] + cells(l, total_ms, peak) for i, l in enumerate(layers)]
    rows.append(["", "**all layers**", ""] + cells(totals, total_ms, peak))
    rows.append(["", f"**the {len(mac_layers)} MAC layers**", ""] + cells(mac_totals, total_ms, peak))
    print(table(header, rows))
    print()
    print("By op:")
    print()
    by_op = {}
    for l in layers:
        t = by_op.setdefault(l["op"], {"layers": 0, "medianMs": 0.0, "macs": 0})
        t["layers"] += 1
        t["medianMs"] += l["medianMs"]
        t["macs"] += l.get("macs", 0)
    print(table(["op", "layers"] + header[3:],
                [[op, t["layers"]] + cells(t, total_ms, peak)
                 for op, t in sorted(by_op.items(), key=lambda item: -item[1]["medianMs"])]))
    print()
    print(f"Top {min(args.top, len(layers))} layers by time:")
    print()
    slowest = sorted(range(len(layers)), key=lambda i: -layers[i]["medianMs"])[:args.top]
    print(table(header, [[i + 1, layers[i]["name"], layers[i]["op"]] + cells(layers[i], total_ms, peak)
                         for i in slowest]))


if __name__ == "__main__":
    main()
