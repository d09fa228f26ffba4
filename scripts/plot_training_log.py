#!/usr/bin/env python3
"""SVG plot of a `qatrt train --log` file (JSON lines): loss and training top-1 against the step.

    scripts/plot_training_log.py train.jsonl train.svg [--title TEXT]

Step records ("type": "step", the mean over the last --log-every steps) are drawn as lines, epoch records
("type": "epoch") as dots. Standard library only, so any python3 runs it.
"""
import argparse
import json
import sys
from xml.sax.saxutils import escape

WIDTH, HEIGHT, MARGIN = 720, 260, 56


def read_records(path):
    steps, epochs = [], []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"{path}:{number}: not JSON ({e})")
            (epochs if record.get("type") == "epoch" else steps).append(record)
    if not steps and not epochs:
        sys.exit(f"{path}: no records")
    return steps, epochs


def panel(title, key, steps, epochs, y0, colour, percent):
    points = [(r["step"], r[key]) for r in steps] + [(r["step"], r[key]) for r in epochs]
    x_max = max(p[0] for p in points) or 1
    y_lo, y_hi = min(p[1] for p in points), max(p[1] for p in points)
    if percent:
        y_lo, y_hi = 0.0, 1.0
    if y_hi - y_lo < 1e-12:
        y_lo, y_hi = y_lo - 0.5, y_hi + 0.5
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def sx(x):
        return MARGIN + plot_w * x / x_max

    def sy(y):
        return y0 + MARGIN + plot_h * (1 - (y - y_lo) / (y_hi - y_lo))

    out = [f'<text x="{WIDTH / 2}" y="{y0 + 20}" text-anchor="middle" font-weight="bold">{escape(title)}</text>',
           f'<rect x="{MARGIN}" y="{y0 + MARGIN}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#888"/>']
    for i in range(5):
        y = y_lo + (y_hi - y_lo) * i / 4
        label = f"{100 * y:.0f}%" if percent else f"{y:.3g}"
        out.append(f'<line x1="{MARGIN}" x2="{MARGIN + plot_w}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#eee"/>')
        out.append(f'<text x="{MARGIN - 6}" y="{sy(y) + 4:.1f}" text-anchor="end" font-size="11">{label}</text>')
    for i in range(5):
        x = x_max * i / 4
        out.append(f'<text x="{sx(x):.1f}" y="{y0 + MARGIN + plot_h + 16}" text-anchor="middle" font-size="11">{x:.0f}</text>')
    out.append(f'<text x="{MARGIN + plot_w / 2}" y="{y0 + HEIGHT - 8}" text-anchor="middle" font-size="11">step</text>')
    if steps:
        path = " ".join(f"{sx(r['step']):.1f},{sy(r[key]):.1f}" for r in steps)
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
    for r in epochs:
        out.append(f'<circle cx="{sx(r["step"]):.1f}" cy="{sy(r[key]):.1f}" r="4" fill="{colour}">'
                   f'<title>epoch {r.get("epoch")}: {r[key]:.4f}</title></circle>')
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log")
    parser.add_argument("svg")
    parser.add_argument("--title", default="qatrt train")
    args = parser.parse_args()
    steps, epochs = read_records(args.log)
    body = panel(f"{args.title}: loss", "loss", steps, epochs, 0, "#c0392b", False)
    body += panel(f"{args.title}: training top-1 (augmented batches)", "top1", steps, epochs, HEIGHT, "#2471a3", True)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{2 * HEIGHT}" font-family="sans-serif">',
           '<rect width="100%" height="100%" fill="white"/>', *body, "</svg>"]
    with open(args.svg, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
