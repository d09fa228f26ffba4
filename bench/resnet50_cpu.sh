#!/bin/bash
# ResNet-50 on the CPU, qatrt next to ONNX Runtime, same model files, same threads, same batch sizes:
#   qatrt INT8 plan  (Q/DQ model, --int8)      vs  ORT on the same Q/DQ model
#   qatrt FP32 plan  (FP32 model, --fp32)      vs  ORT on the FP32 model
#   and ORT on the Q/DQ model with BatchNorm folded before quantization. ORT (1.30, level 'all') turns
#   DQ -> Conv -> Q into QLinearConv only when Q directly follows the conv: on the pytorch-quantization
#   layout (Conv -> BatchNormalization -> Relu -> Q) it runs every conv in float with Q/DQ ops around it,
#   and with BN folded it first fuses Conv+Relu into a float FusedConv, so only 3 of 53 convs become
#   QLinearConv (seen in its optimized model: SessionOptions.optimizedModelFilePath). Both ORT Q/DQ columns
#   are therefore float compute plus Q/DQ overhead, not ORT's int8 kernels.
# Not a test: it prints a table (images/s, median latency, ratios vs ORT FP32). Name the CPU with the numbers.
#   THREADS (default 2), BATCHES (default "1 8"), DURATION seconds per run (default 10), QATRT_BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${QATRT_BUILD_DIR:-$root/build}
work=$build/bench-resnet50
threads=${THREADS:-2}
batches=${BATCHES:-1 8}
duration=${DURATION:-10}
python=/usr/bin/python3
qatrt=$build/qatrt

if [[ ! -x $qatrt ]]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
  ninja -C "$build" qatrt
fi

echo "== export (PyTorch): Q/DQ + FP32, and Q/DQ with BatchNorm folded"
"$python" "$root/scripts/export_torch_qdq.py" --model resnet50 --out "$work" --fp32 --threads "$threads"
"$python" "$root/scripts/export_torch_qdq.py" --model resnet50 --out "$work/folded" --fold-bn --threads "$threads"
model=$work/resnet50

echo "== qatrt build"
"$qatrt" build --onnx "$model/qdq.onnx" --saveEngine "$work/int8.plan" --int8
"$qatrt" build --onnx "$model/fp32.onnx" --saveEngine "$work/fp32.plan" --fp32

runs=()
for batch in $batches; do
  for precision in int8 fp32; do
    echo "== qatrt bench $precision batch $batch"
    "$qatrt" bench --engine "$work/$precision.plan" --batch "$batch" --threads "$threads" --duration "$duration" \
      --exportTimes "$work/qatrt-$precision-b$batch.json"
  done
  runs+=("qatrt INT8 (Q/DQ model):$batch:$work/qatrt-int8-b$batch.json"
         "qatrt FP32 (FP32 model):$batch:$work/qatrt-fp32-b$batch.json")
  for model_case in "qdq:$model/qdq.onnx:ORT Q/DQ model" "qdq-folded:$work/folded/resnet50/qdq.onnx:ORT Q/DQ, BN folded" \
                    "fp32:$model/fp32.onnx:ORT FP32"; do
    IFS=: read -r key onnx label <<< "$model_case"
    echo "== $label batch $batch"
    node "$root/bench/ort_bench.js" --model "$onnx" --batch "$batch" --threads "$threads" --duration "$duration" \
      --exportTimes "$work/ort-$key-b$batch.json"
    runs+=("$label:$batch:$work/ort-$key-b$batch.json")
  done
done

echo
echo "== ResNet-50, $threads threads, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
"$python" "$root/bench/times_table.py" "ORT FP32" "${runs[@]}"
