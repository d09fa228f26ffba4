#!/usr/bin/python3
"""Top-1 of another runtime's outputs against `qatrt eval --json`, image by image.

The other runtime ran the inputs `qatrt eval --save-inputs DIR` wrote (DIR/batch_NNNNN.f32, in image order),
e.g. `node scripts/ort_run.js --model M.onnx --outdir OUT DIR/batch_*.f32`, which writes one raw float32
output file per input file into OUT. This prints that runtime's top-1 and top-5 on the labels from the JSON,
and its top-1 agreement with each plan named by --plan (a plan file's base name, as in the eval table).

usage: compare_top1.py --eval EVAL.json --inputs DIR --outputs OUT [--name ORT] [--plan NAME ...] [--json F]
Exit status 1 when a --min-agreement is given and an agreement is below it.
"""
import argparse
import glob
import json
import os
import sys

import numpy as np


def load_outputs(folder, inputs, images):
    files = sorted(glob.glob(os.path.join(folder, "batch_*.f32")))
    expected = sorted(os.path.basename(f) for f in glob.glob(os.path.join(inputs, "batch_*.f32")))
    if [os.path.basename(f) for f in files] != expected:
        sys.exit(f"compare_top1: {folder} has {len(files)} output batches for the {len(expected)} input batches "
                 f"in {inputs}: did the other runtime finish?")
    logits = np.concatenate([np.fromfile(f, dtype=np.float32) for f in files])
    if logits.size % images:
        sys.exit(f"compare_top1: {logits.size} output values are not a multiple of {images} images")
    return logits.reshape(images, -1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--eval", required=True, help="qatrt eval --json output")
    parser.add_argument("--inputs", required=True, help="the folder qatrt eval --save-inputs wrote")
    parser.add_argument("--outputs", required=True, help="folder of the other runtime's batch_*.f32 outputs")
    parser.add_argument("--name", default="ONNX Runtime", help="the other runtime's name in the printout")
    parser.add_argument("--plan", action="append", default=[], help="plan (base name) to compare with")
    parser.add_argument("--min-agreement", type=float, help="fail below this top-1 agreement (0..1)")
    parser.add_argument("--json", help="write the numbers here")
    args = parser.parse_args()

    report = json.load(open(args.eval))
    labels = np.array(report["labels"])
    logits = load_outputs(args.outputs, args.inputs, len(labels))
    order = np.argsort(-logits, axis=1, kind="stable")
    top1 = order[:, 0]
    result = {"runtime": args.name, "images": int(len(labels)), "top1": float(np.mean(top1 == labels)),
              "top5": float(np.mean((order[:, :5] == labels[:, None]).any(axis=1))), "agreement": {}}
    print(f"{args.name}: {len(labels)} images, top-1 {100 * result['top1']:.2f}%, top-5 {100 * result['top5']:.2f}%")
    plans = {os.path.basename(p["plan"]): p for p in report["plans"]}
    failed = False
    for name in args.plan:
        if name not in plans:
            sys.exit(f"compare_top1: plan '{name}' is not in {args.eval} (it has: {', '.join(plans)})")
        plan = plans[name]
        agreement = float(np.mean(top1 == np.array(plan["top1_per_image"])))
        delta = 100 * (plan["top1"] - result["top1"])
        result["agreement"][name] = agreement
        print(f"  vs qatrt {name}: top-1 {100 * plan['top1']:.2f}% ({delta:+.2f} points), "
              f"same top-1 on {100 * agreement:.2f}% of images")
        failed |= args.min_agreement is not None and agreement < args.min_agreement
    if args.json:
        json.dump(result, open(args.json, "w"), indent=2)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
