#!/bin/bash
# The accuracy workflow end to end on the tiny Q/DQ classifier: export round trip, FP32 / fake-quant / INT8
# plans, one `qatrt eval` with --json, --chart and --save-inputs, then (when node and tools/ort are installed)
# ONNX Runtime on the saved inputs compared image by image with scripts/compare_top1.py.
# Usage: accuracy_table.sh QATRT_BINARY PYTHON_WITH_ONNX     (exit 77 = skipped: no python3-onnx)
set -u
QATRT=$1
PYTHON=$2
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0
fail() { failures=$((failures + 1)); echo "FAIL  $*"; }
# run NAME COMMAND...: runs it, prints its output on failure.
run() {
  local name=$1
  shift
  if "$@" >"$T/out" 2>&1; then echo "ok    $name"; return 0; fi
  fail "$name: $*"
  sed 's/^/      /' "$T/out"
  return 1
}

"$PYTHON" "$HERE/make_tiny_classifier.py" "$T/tiny.onnx" 2>"$T/python.err" || {
  cat "$T/python.err"; echo "skip: $PYTHON cannot write an ONNX model"; exit 77; }

# Six labelled 20×20 PNGs (standard library only), classes 0..5.
mkdir -p "$T/data/images"
"$PYTHON" - "$T/data" <<'PY'
import os, struct, sys, zlib
root = sys.argv[1]
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
with open(os.path.join(root, "labels.txt"), "w") as labels:
    for k in range(6):
        w = h = 20
        raw = b"".join(b"\0" + b"".join(bytes(((x * (k + 3) * 7) % 256, (y * (11 - k) * 5) % 256, (x * y * k) % 256))
                                        for x in range(w)) for y in range(h))
        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
              chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
        open(os.path.join(root, "images", f"img{k}.png"), "wb").write(png)
        labels.write(f"images/img{k}.png {k}\n")
PY

# Export round trip: re-writing the Q/DQ model in the other weight format keeps every integer.
run "export --weights float" "$QATRT" export --onnx "$T/tiny.onnx" --output "$T/tiny_float_w.onnx" --weights float
"$PYTHON" -c "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)" \
  "$T/tiny_float_w.onnx" >"$T/out" 2>&1 && echo "ok    onnx.checker on the export" ||
  { fail "onnx.checker rejects the export"; sed 's/^/      /' "$T/out"; }

run "build fp32" "$QATRT" build --onnx "$T/tiny.onnx" --fp32 --saveEngine "$T/fp32.plan"
run "build fake-quant" "$QATRT" build --onnx "$T/tiny.onnx" --fake-quant --saveEngine "$T/fq.plan"
run "build int8" "$QATRT" build --onnx "$T/tiny.onnx" --int8 --saveEngine "$T/int8.plan"
run "build exact" "$QATRT" build --onnx "$T/tiny.onnx" --exact --saveEngine "$T/exact.plan"
run "build int8 from the export" "$QATRT" build --onnx "$T/tiny_float_w.onnx" --int8 --saveEngine "$T/int8_export.plan"
run "inspect shows the fake-quant reason" bash -c \
  "'$QATRT' inspect --engine '$T/fq.plan' | grep -q -- '--fake-quant: float on Q/DQ-rounded values'"

run "eval" "$QATRT" eval --data "$T/data" --batch 4 --engine "$T/fp32.plan" --engine "$T/fq.plan" \
  --engine "$T/int8.plan" --engine "$T/int8_export.plan" --engine "$T/exact.plan" --json "$T/eval.json" --chart "$T/eval.svg" \
  --save-inputs "$T/inputs" && cp "$T/out" "$T/eval.out"
grep -q "top-1 by Q/DQ model" "$T/eval.out" 2>/dev/null || fail "eval printed no table by Q/DQ model"

# Bad input: a chart needs a Q/DQ model's plan; an unknown weight format is a usage error.
"$QATRT" eval --data "$T/data" --engine "$T/fp32.plan" --chart "$T/none.svg" >"$T/out" 2>&1
rc=$?
[ $rc -eq 1 ] && grep -q "error: .*--chart draws the table by Q/DQ model" "$T/out" && echo "ok    eval --chart without a Q/DQ plan" ||
  { fail "eval --chart without a Q/DQ plan: exit $rc"; sed 's/^/      /' "$T/out"; }
"$QATRT" export --onnx "$T/tiny.onnx" --output "$T/x.onnx" --weights fp16 >"$T/out" 2>&1
rc=$?
[ $rc -eq 2 ] && grep -q -- "--weights" "$T/out" && echo "ok    export --weights fp16 is refused" ||
  { fail "export --weights fp16: exit $rc"; sed 's/^/      /' "$T/out"; }

# The JSON: both Q/DQ models in the table, every plan with one top-1 per image, the export's int8 plan
# identical to the original's image by image.
"$PYTHON" - "$T/eval.json" <<'PY' >"$T/out" 2>&1 && echo "ok    eval JSON" || { fail "eval JSON"; sed 's/^/      /' "$T/out"; }
import json, sys
report = json.load(open(sys.argv[1]))
assert len(report["images"]) == 6 and report["labels"] == list(range(6)), report["labels"]
modes = [p["precision_mode"] for p in report["plans"]]
assert modes == ["fp32", "fakequant", "int8", "int8", "int8-exact"], modes
for p in report["plans"]:
    assert len(p["top1_per_image"]) == 6, p
models = {m["source_model"]: m for m in report["models"]}
assert set(models) == {"tiny.onnx", "tiny_float_w.onnx"}, models
tiny = models["tiny.onnx"]
assert tiny["fake_quant_top1"] is not None and tiny["int8_top1"] is not None and tiny["fp32_top1"] is not None, tiny
assert tiny["int8_exact_top1"] is not None, tiny
# Fake-quant and INT8 compute the same rounded values; they may differ only at a near-tie of two logits.
assert tiny["int8_agrees_with_fake_quant"] >= 5 / 6, tiny
assert report["plans"][2]["top1_per_image"] == report["plans"][3]["top1_per_image"], "export changed the int8 plan"
PY
grep -q "<svg" "$T/eval.svg" 2>/dev/null && grep -q "tiny.onnx" "$T/eval.svg" && echo "ok    SVG chart" ||
  fail "the SVG chart is missing or does not name the model"

# Layer by layer: the int8 plan against itself on the two backends agrees within 1 LSB everywhere, and the
# fake-quant plan shares the Q outputs with the int8 plan.
run "compare: int8 plan, cpu vs reference" "$QATRT" compare --engine "$T/int8.plan" --engine "$T/int8.plan" \
  --backend cpu --backend reference --image "$T/data/images/img3.png" && cp "$T/out" "$T/compare.out"
grep -q "beyond tolerance" "$T/compare.out" 2>/dev/null && grep -q "^0 \|, 0 beyond" "$T/compare.out" &&
  echo "ok    compare: no drift between backends" || { fail "compare: drift between backends"; cat "$T/compare.out"; }
run "compare: fake-quant vs int8" "$QATRT" compare --engine "$T/fq.plan" --engine "$T/int8.plan" \
  --image "$T/data/images/img3.png" && cp "$T/out" "$T/compare_fq.out"
grep -q "y_q.*int8" "$T/compare_fq.out" 2>/dev/null && echo "ok    compare: the Q output is shared" ||
  { fail "compare: fake-quant and int8 plans share no Q output"; cat "$T/compare_fq.out"; }

# Saved inputs: 6 images × 3×16×16 float32 in batches of 4, and the image list in order.
bytes=$(cat "$T"/inputs/batch_*.f32 2>/dev/null | wc -c)
[ "$bytes" -eq $((6 * 3 * 16 * 16 * 4)) ] && [ "$(ls "$T"/inputs/batch_*.f32 | wc -l)" -eq 2 ] &&
  [ "$(wc -l < "$T/inputs/images.txt")" -eq 6 ] && echo "ok    saved inputs" ||
  fail "saved inputs: $bytes bytes in $(ls "$T"/inputs 2>/dev/null | tr '\n' ' ')"

# ONNX Runtime with graph optimizations off runs every Q/DQ as written: the fake-quant plan's semantics.
if command -v node >/dev/null && [ -d "$ROOT/tools/ort/node_modules/onnxruntime-node" ]; then
  run "ORT on the saved inputs" node "$ROOT/scripts/ort_run.js" --model "$T/tiny.onnx" --outdir "$T/ort" \
    --optimization disabled "$T"/inputs/batch_*.f32
  run "ORT top-1 agrees with the fake-quant plan" "$PYTHON" "$ROOT/scripts/compare_top1.py" --eval "$T/eval.json" \
    --inputs "$T/inputs" --outputs "$T/ort" --plan fq.plan --min-agreement 0.83
else
  echo "skip  ONNX Runtime comparison: node or tools/ort not installed"
fi

# The independent PyTorch evaluation of the Q/DQ graph (scripts/qdq_reference.py), in float32 and float64:
# both give the fake-quant plan's top-1 (they may differ only at a near-tie of two logits), and the float64 one
# (the exact evaluation) gives the --exact plan's top-1 on every image.
if "$PYTHON" -c "import torch" 2>/dev/null; then
  for dtype in float32 float64; do
    run "qdq_reference.py $dtype" "$PYTHON" "$ROOT/scripts/qdq_reference.py" --model "$T/tiny.onnx" --dtype $dtype \
      --outdir "$T/qref_$dtype" "$T"/inputs/batch_*.f32
    run "qdq_reference.py $dtype top-1 agrees with the fake-quant plan" "$PYTHON" "$ROOT/scripts/compare_top1.py" \
      --eval "$T/eval.json" --inputs "$T/inputs" --outputs "$T/qref_$dtype" --plan fq.plan --min-agreement 0.83
  done
  run "qdq_reference.py float64 top-1 equals the exact plan's" "$PYTHON" "$ROOT/scripts/compare_top1.py" \
    --eval "$T/eval.json" --inputs "$T/inputs" --outputs "$T/qref_float64" --plan exact.plan --min-agreement 1.0
  # An output folder with a batch missing (a runtime that stopped early) is refused, not compared in part.
  cp -r "$T/qref_float32" "$T/qref_partial" && rm "$T/qref_partial/batch_00001.f32"
  "$PYTHON" "$ROOT/scripts/compare_top1.py" --eval "$T/eval.json" --inputs "$T/inputs" --outputs "$T/qref_partial" \
    >"$T/out" 2>&1
  rc=$?
  [ $rc -ne 0 ] && grep -q "1 output batches for the 2 input batches" "$T/out" &&
    echo "ok    compare_top1.py refuses a missing output batch" ||
    { fail "compare_top1.py with a missing output batch: exit $rc"; sed 's/^/      /' "$T/out"; }
else
  echo "skip  qdq_reference.py: $PYTHON has no torch"
fi

[ $failures -eq 0 ] && echo "all accuracy-workflow checks passed" || echo "$failures failure(s)"
[ $failures -eq 0 ]
