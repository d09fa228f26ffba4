#!/bin/bash
# The CLI's error paths end with a non-zero exit and a message naming the file and the reason:
# exit 1 + "error: <status>" for failed operations, exit 2 for usage errors.
# Usage: cli_errors.sh QATRT_BINARY PYTHON_WITH_ONNX     (exit 77 = skipped: no python3-onnx to make a model)
set -u
QATRT=$1
PYTHON=$2
HERE=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
failures=0

# check NAME EXPECTED_EXIT NEEDLE... -- COMMAND...: runs COMMAND, demands the exit code and every NEEDLE in
# its stderr, and prints the whole case on failure.
check() {
  local name=$1 want=$2
  shift 2
  local needles=()
  while [ "$1" != "--" ]; do needles+=("$1"); shift; done
  shift
  "$@" >"$T/stdout" 2>"$T/stderr"
  local rc=$? ok=1
  [ "$rc" -eq "$want" ] || ok=0
  if [ "$want" -eq 1 ]; then grep -q "^error: " "$T/stderr" || ok=0; fi
  for needle in "${needles[@]}"; do grep -qF -- "$needle" "$T/stderr" || ok=0; done
  if [ $ok -eq 1 ]; then
    echo "ok    $name"
  else
    failures=$((failures + 1))
    echo "FAIL  $name: exit $rc (want $want), stderr must contain: ${needles[*]}"
    echo "      command: $*"
    sed 's/^/      stderr: /' "$T/stderr"
  fi
}

# --- usage errors (exit 2) -------------------------------------------------------------------------------
check "unknown flag" 2 "--bogus" -- "$QATRT" build --onnx "$T/m.onnx" --saveEngine "$T/m.plan" --bogus
check "unknown infer flag" 2 "--frobnicate" -- "$QATRT" infer --engine "$T/m.plan" --image "$T/i.png" --frobnicate
check "missing required flag" 2 "--saveEngine" -- "$QATRT" build --onnx "$T/m.onnx"
check "unknown subcommand" 2 "frobnicate" -- "$QATRT" frobnicate
check "bad preset value" 2 "keras" -- "$QATRT" infer --engine "$T/m.plan" --image "$T/i.png" --preprocess keras
check "exclusive precisions" 2 "--fp32" -- "$QATRT" build --onnx "$T/m.onnx" --saveEngine "$T/m.plan" --int8 --fp32
check "inspect needs a source" 2 "--onnx or --engine" -- "$QATRT" inspect
check "bench --streams 0" 2 "--streams" -- "$QATRT" bench --engine "$T/m.plan" --backend cuda --streams 0
check "bench --streams on the cpu" 1 "--streams 2 needs --backend cuda" -- "$QATRT" bench --engine "$T/m.plan" --streams 2

# --- missing and foreign files (exit 1) ------------------------------------------------------------------
check "missing model" 1 "$T/missing.onnx" -- "$QATRT" build --onnx "$T/missing.onnx" --saveEngine "$T/m.plan"
check "quantize needs a model" 2 "--keras,--onnx" -- "$QATRT" quantize --output "$T/q.onnx"
# qatrt train execs qatrt-train from qatrt's own folder; a qatrt without it (libtorch not found at build time)
# says what to install.
mkdir -p "$T/alone" && cp "$QATRT" "$T/alone/qatrt"
check "train without qatrt-train" 1 "qatrt-train" "install libtorch-dev" -- "$T/alone/qatrt" train --data "$T/d"
check "quantize: missing Keras model" 1 "$T/missing.json" -- "$QATRT" quantize --keras "$T/missing.json" --output "$T/q.onnx"
check "quantize: bad calibration method" 1 "kl" "max, percentile, entropy or mse" -- "$QATRT" quantize --keras "$T/missing.json" --calib-method kl --output "$T/q.onnx"
check "eval: folder without labels.txt" 1 "$T/labels.txt" -- "$QATRT" eval --engine "$T/m.plan" --data "$T"
check "inspect missing model" 1 "$T/missing.onnx" -- "$QATRT" inspect --onnx "$T/missing.onnx"
check "missing plan" 1 "$T/missing.plan" "not found" -- "$QATRT" infer --engine "$T/missing.plan" --image "$T/i.png"
echo "not a plan at all" >"$T/text.plan"
check "text as plan" 1 "$T/text.plan" "not a qatrt plan" -- "$QATRT" inspect --engine "$T/text.plan"

# --- a real plan, then damaged copies --------------------------------------------------------------------
if ! "$PYTHON" "$HERE/make_tiny_classifier.py" "$T/tiny.onnx" 2>"$T/python.err"; then
  cat "$T/python.err"
  echo "skip  the plan cases: $PYTHON cannot write an ONNX model"
  [ $failures -eq 0 ] && exit 77 || exit 1
fi
# A valid 20×20 RGB PNG, written with the standard library only.
"$PYTHON" - "$T/image.png" <<'PY'
import struct, sys, zlib
w = h = 20
raw = b"".join(b"\0" + b"".join(bytes((x * 12 % 256, y * 12 % 256, 128)) for x in range(w)) for y in range(h))
chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
      chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
open(sys.argv[1], "wb").write(png)
PY

if ! "$QATRT" build --onnx "$T/tiny.onnx" --saveEngine "$T/good.plan" >"$T/build.out" 2>&1; then
  failures=$((failures + 1))
  echo "FAIL  building the tiny model (the damaged-plan cases need it):"
  sed 's/^/      /' "$T/build.out"
else
  echo "ok    build tiny model"
  # Flip every bit of one byte in the middle of the file (inside a checksummed section).
  "$PYTHON" - "$T/good.plan" "$T/bad.plan" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0xFF
open(sys.argv[2], "wb").write(b)
PY
  check "corrupted plan (infer)" 1 "$T/bad.plan" "checksum" -- "$QATRT" infer --engine "$T/bad.plan" --image "$T/image.png"
  check "corrupted plan (inspect)" 1 "$T/bad.plan" "checksum" -- "$QATRT" inspect --engine "$T/bad.plan"
  check "corrupted plan (bench)" 1 "$T/bad.plan" "checksum" -- "$QATRT" bench --engine "$T/bad.plan" --iterations 1
  head -c 100 "$T/good.plan" >"$T/short.plan"
  check "truncated plan" 1 "$T/short.plan" "truncated" -- "$QATRT" infer --engine "$T/short.plan" --image "$T/image.png"

  echo "just some text" >"$T/notes.jpg"
  check "text file named .jpg" 1 "$T/notes.jpg" "not an image" -- \
    "$QATRT" infer --engine "$T/good.plan" --image "$T/notes.jpg"
  check "missing image" 1 "$T/nope.png" "not found" -- "$QATRT" infer --engine "$T/good.plan" --image "$T/nope.png"
  printf 'GIF89a\001\000\001\000' >"$T/anim.png"
  check "unsupported image format" 1 "$T/anim.png" "GIF" -- "$QATRT" infer --engine "$T/good.plan" --image "$T/anim.png"
  check "missing labels" 1 "$T/labels.txt" -- \
    "$QATRT" infer --engine "$T/good.plan" --image "$T/image.png" --labels "$T/labels.txt"
  check "unwritable plan path" 1 "$T/no/dir/x.plan" -- \
    "$QATRT" build --onnx "$T/tiny.onnx" --saveEngine "$T/no/dir/x.plan"
fi

echo "$failures failure(s)"
[ $failures -eq 0 ]
