#!/usr/bin/env bash
# QAT on the GPU machine (issue 4): builds qatrt-train THERE against the libtorch inside its PyTorch wheel
# (CUDA, cuDNN) and Debian's dev packages carried as .debs, then fine-tunes the ResNet-50 Q/DQ model on one GPU
# with the CPU run's settings and logs every step, then (unless SPEED=0) times larger batches with and without
# bf16.
#
#   here:   scripts/gpu-train.sh prepare     # build-gpu-train/: .debs, the int8-weight Q/DQ model, train images
#   device: run(command="scripts/gpu-train.sh run", carry=["build-gpu-train"])      # ≈ 55 MB
#   device: run(command="scripts/gpu-train.sh scaling", carry=["build-gpu-train"], kind="nvidia-h100-x2")
#           images/s on 1 GPU and on 2 GPUs data-parallel (same batch per GPU, frozen BN, fp32 and bf16), and the
#           loss of the first steps on 2 GPUs x 64 vs 1 GPU x 128 (the same global batches)
#
# The FP32 weights (98 MB) do not fit a call (64 MiB): the starting point is the max-calibrated Q/DQ export with
# int8 weights (ORT's format, 26 MB), i.e. the int8-rounded weights the CPU run also starts its fake-quant from.
# Logs and the trained model go to $OUT (else build-gpu-train/out).
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${QATRT_GPU_TRAIN_DIR:-build-gpu-train}
OUTDIR=${OUT:-$WORK/out}
IMAGES=${TRAIN_IMAGES:-400}
DEBS=(libonnx1 libonnx-dev libonnxifi libprotobuf32 libprotobuf-dev libprotobuf-lite32 libdnnl2 libdnnl-dev libtbb12
      libturbojpeg0 libturbojpeg0-dev libjpeg62-turbo libjpeg62-turbo-dev libpng16-16 libpng-dev zlib1g-dev
      nlohmann-json3-dev libcli11-dev pkgconf pkgconf-bin libpkgconf3 ocl-icd-libopencl1)
# The CPU run of docs/training.md, limited to the first TRAIN_IMAGES images and MAX_STEPS steps.
TRAIN_FLAGS=(--data "$WORK/train" --limit "$IMAGES" --epochs 1 --batch 16 --lr 1e-4 --freeze-bn --seed 1
             --log-every 1)

prepare() {
  mkdir -p "$WORK/debs" "$WORK/train/images"
  (cd "$WORK/debs" && apt-get download "${DEBS[@]}" 2>&1 | grep -v unsandboxed || true)
  local qdq=${QDQ_MODEL:-build/accuracy/qdq_max.onnx}
  build/qatrt export --onnx "$qdq" --weights int8 --output "$WORK/resnet50-qdq-max-int8w.onnx"
  local src=../shared/data/imagenet-train-1k
  head -"$IMAGES" "$src/labels.txt" > "$WORK/train/labels.txt"
  awk '{print $1}' "$WORK/train/labels.txt" | while read -r f; do mkdir -p "$WORK/train/$(dirname "$f")"; cp "$src/$f" "$WORK/train/$f"; done
  du -sh "$WORK"
}

build_there() {
  for f in "$WORK"/debs/*.deb; do dpkg -x "$f" /opt/deps; done
  local lib=/opt/deps/usr/lib/x86_64-linux-gnu torch_prefix
  torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
  # NCCL for data parallelism: the nvidia-nccl wheel PyTorch loads (its header and library), CPU Gloo not built.
  local site nccl_h nccl_lib
  site=$(python3 -c 'import site; print(" ".join(site.getsitepackages()))')
  nccl_h=$(find $site /usr/include /usr/local -name nccl.h 2>/dev/null | head -1 || true)
  nccl_lib=$(find $site /usr/lib /usr/local -name 'libnccl.so*' 2>/dev/null | head -1 || true)
  echo "NCCL: ${nccl_h:-no nccl.h} ${nccl_lib:-no libnccl}"
  export LD_LIBRARY_PATH=$lib:${LD_LIBRARY_PATH:-}
  # Debian's .pc files say prefix=/usr: the sysroot points pkgconf at /opt/deps.
  export PKG_CONFIG_SYSROOT_DIR=/opt/deps PKG_CONFIG_LIBDIR=$lib/pkgconfig:/opt/deps/usr/share/pkgconfig
  cmake -S . -B build-device -G Ninja -DCMAKE_BUILD_TYPE=Release -DQATRT_CUDA=OFF \
    -DCMAKE_PREFIX_PATH="/opt/deps/usr;$torch_prefix" -DPKG_CONFIG_EXECUTABLE=/opt/deps/usr/bin/pkgconf \
    -DCMAKE_INCLUDE_PATH=/opt/deps/usr/include -DCMAKE_LIBRARY_PATH="$lib" -DQATRT_TRAIN_GLOO=OFF \
    ${nccl_h:+-DQATRT_NCCL_INCLUDE_DIR=$(dirname "$nccl_h")} ${nccl_lib:+-DQATRT_NCCL_LIBRARY=$nccl_lib} > "$OUTDIR/configure.log" 2>&1 ||
    { tail -30 "$OUTDIR/configure.log"; return 1; }
  grep -E "libtorch|trainer|parallelism" "$OUTDIR/configure.log" || true
  ninja -C build-device qatrt-train > "$OUTDIR/build.log" 2>&1 || { grep -B2 -A8 "error" "$OUTDIR/build.log" | head -60; return 1; }
  echo "built qatrt-train"
}

run_there() {
  mkdir -p "$OUTDIR"
  build_there
  local model=$WORK/resnet50-qdq-max-int8w.onnx trainer=build-device/qatrt-train
  nvidia-smi -L
  echo "== QAT on one GPU, the CPU run's settings, first ${MAX_STEPS:-16} steps, every step logged"
  "$trainer" train --onnx "$model" "${TRAIN_FLAGS[@]}" --max-steps "${MAX_STEPS:-16}" --device cuda --threads 8 \
    --loader-threads 8 --log "$OUTDIR/gpu_b16.jsonl" --output "$OUTDIR/gpu-qat.onnx" 2>&1 | tail -4
  [[ ${SPEED:-1} == 1 ]] || return 0
  local batch
  for batch in 64 128; do
    for amp in "" --mixed-precision; do
      echo "== speed: batch $batch ${amp:-fp32}"
      "$trainer" train --onnx "$model" --data "$WORK/train" --limit "$IMAGES" --epochs 1 --batch "$batch" --lr 1e-4 \
        --max-steps 6 --device cuda --threads 8 --loader-threads 12 $amp --log "$OUTDIR/speed_b${batch}${amp}.jsonl" \
        --log-every 1 --output "$OUTDIR/speed.onnx" > "$OUTDIR/speed_b${batch}${amp}.log" 2>&1 || tail -5 "$OUTDIR/speed_b${batch}${amp}.log"
      tail -2 "$OUTDIR/speed_b${batch}${amp}.jsonl" 2>/dev/null || true
    done
  done
}

# Steady-state images/s of a JSON-lines log written with --log-every 1: full global batches only (an epoch's
# short last batch is left out), after the first WARMUP steps; Σ images / Σ seconds.
steady_rate() {
  python3 - "$1" "$2" "$IMAGES" "${WARMUP:-5}" <<'PY'
import json, math, sys
path, batch, images, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
per_epoch = math.ceil(images / batch)
steps = [r for r in map(json.loads, open(path)) if r["type"] == "step" and r["step"] > warmup and r["step"] % per_epoch != 0]
print(f"{sum(batch for _ in steps) / sum(batch / r['images_per_second'] for r in steps):.1f} images/s over {len(steps)} steps")
PY
}

scaling_there() {
  mkdir -p "$OUTDIR"
  build_there
  local model=$WORK/resnet50-qdq-max-int8w.onnx trainer=build-device/qatrt-train amp name
  nvidia-smi -L
  local common=(--onnx "$model" --data "$WORK/train" --limit "$IMAGES" --lr 1e-4 --freeze-bn --seed 1 --threads 4
                --loader-threads 8 --log-every 1 --output "$OUTDIR/scaling.onnx")
  for amp in "" --mixed-precision; do
    name=${amp:+_bf16}
    echo "== 1 GPU, batch 64${amp:+, bf16}"
    timeout 150 "$trainer" train "${common[@]}" --device cuda --batch 64 --epochs 6 $amp --log "$OUTDIR/gpu1$name.jsonl" \
      > "$OUTDIR/gpu1$name.log" 2>&1 || tail -5 "$OUTDIR/gpu1$name.log"
    echo "== 2 GPUs, batch 64 per GPU${amp:+, bf16}"
    timeout 150 "$trainer" train "${common[@]}" --gpus 2 --batch 64 --epochs 10 $amp --log "$OUTDIR/gpu2$name.jsonl" \
      > "$OUTDIR/gpu2$name.log" 2>&1 || tail -5 "$OUTDIR/gpu2$name.log"
  done
  echo "== loss of the first 16 steps: 1 GPU x 128 vs 2 GPUs x 64 (fp32)"
  timeout 150 "$trainer" train "${common[@]}" --device cuda --batch 128 --epochs 4 --log "$OUTDIR/loss1.jsonl" > "$OUTDIR/loss1.log" 2>&1 ||
    tail -5 "$OUTDIR/loss1.log"
  timeout 150 "$trainer" train "${common[@]}" --gpus 2 --batch 64 --epochs 4 --log "$OUTDIR/loss2.jsonl" > "$OUTDIR/loss2.log" 2>&1 ||
    tail -5 "$OUTDIR/loss2.log"
  echo "== results ($(nvidia-smi --query-gpu=name --format=csv,noheader | sort | uniq -c | xargs))"
  for name in "" _bf16; do
    echo "${name:-fp32}: 1 GPU $(steady_rate "$OUTDIR/gpu1$name.jsonl" 64); 2 GPUs $(steady_rate "$OUTDIR/gpu2$name.jsonl" 128)"
  done
  python3 - "$OUTDIR/loss1.jsonl" "$OUTDIR/loss2.jsonl" <<'PY'
import json, sys
a, b = ([r["loss"] for r in map(json.loads, open(p)) if r["type"] == "step"] for p in sys.argv[1:])
print("step  1 GPU x128  2 GPUs x64  rel.diff")
for i, (x, y) in enumerate(zip(a, b), 1): print(f"{i:4d}  {x:9.4f}  {y:10.4f}  {abs(x - y) / x:8.2e}")
PY
}

case "${1:-}" in
  prepare) prepare ;;
  run) run_there ;;
  scaling) scaling_there ;;
  *) echo "usage: $0 prepare|run|scaling" >&2; exit 2 ;;
esac
