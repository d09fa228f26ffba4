#!/usr/bin/env bash
# Runs qatrt's GPU work on the GPU machine: the CUDA tests (tests/unit/cuda: kernels against the reference
# backend, the CUDA engine, the whole ResNet-50 INT8, FP32 and FP16 networks against the CPU backend), the INT8
# convolution benchmark (bench/cuda_conv_bench.cu) and `qatrt bench --backend cuda` on the ResNet-50 INT8, FP32
# and FP16 plans.
#
# That machine (Ubuntu 24.04, CUDA 13.0, no network) lacks the Debian libraries qatrt links (ONNX, protobuf,
# oneDNN, libjpeg-turbo, libpng), so the binaries are built HERE with the full CMake tree (CUDA on, the libtorch
# trainer off) and travel with the runtime .debs, which the device unpacks into /opt/deps:
#
#   here:   scripts/gpu-tests.sh prepare      # builds $BUILD (default build-gpu), fetches $BUILD/debs
#   device: run(command="scripts/gpu-tests.sh all",
#               carry=["build-gpu/qatrt", "build-gpu/tests/test_unit_cuda", "build-gpu/cuda_conv_bench",
#                      "build-gpu/debs", "build-gpu/val", "build-gpu/resnet50-qdq-int8w.onnx"])   # ≈ 50 MB
#
# A call carries at most 64 MiB, and a float ResNet-50 plan alone is ~100 MB: so prepare exports the main
# job's Q/DQ model (build/main-job/resnet50-qdq.onnx, the source of its INT8 plan) with int8 weights (~26 MB),
# and the `plans` step builds every plan on the device from it: `qatrt build --int8` (the main job's INT8 plan:
# the same activations, checked with `qatrt compare`), `qatrt build --fp32` (FP32, the int8 weights
# dequantized at build time) and `qatrt build --fp16` (the same in float16: activations, weights and biases;
# float32 in and out).
#
# cuDNN (the float layers) is not carried: the device has it in PyTorch's pip wheel (nvidia.cudnn), which
# env_for_binaries puts on LD_LIBRARY_PATH.
#
# Steps (default "all": deps, plans, test, accuracy, network, peers, multi-gpu, bench, memcheck): deps, plans
# (the ResNet-50 plans from the carried Q/DQ model), test, bench (the conv layers), accuracy
# (qatrt eval on 200 dev images, CPU vs GPU top-1 per image), network (qatrt bench --backend cuda at batch 1
# and 256 on the INT8 plan, per-layer profile; the FP32 and FP16 plans at the same batches), peers (PyTorch's
# whole ResNet-50 in FP16/TF32/FP32, side by side with network), torch (the same conv layers through PyTorch,
# when it sees a GPU), sass (instruction counts, here too), profile LAYER... (ncu). Logs go to $OUT when it is set (the
# device tool's output folder), else to $BUILD/.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${QATRT_GPU_BUILD:-build-gpu}
LOGS=${OUT:-$BUILD}
QDQ=${QATRT_RESNET50_QDQ:-$BUILD/resnet50-qdq-int8w.onnx}  # the main job's Q/DQ model with int8 weights
PLAN=${QATRT_RESNET50_PLAN:-$BUILD/resnet50-int8.plan}
FP32_PLAN=${QATRT_RESNET50_FP32_PLAN:-$BUILD/resnet50-fp32.plan}
FP16_PLAN=${QATRT_RESNET50_FP16_PLAN:-$BUILD/resnet50-fp16.plan}
VAL=$BUILD/val  # the first VAL_IMAGES labelled dev images, copied by prepare
VAL_IMAGES=${VAL_IMAGES:-200}
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
ARCH=(-gencode=arch=compute_90a,code=sm_90a -gencode=arch=compute_80,code=compute_80)
RUNTIME_DEBS=(libonnx1 libprotobuf32 libdnnl2 ocl-icd-libopencl1 libtbb12 libturbojpeg0 libjpeg62-turbo libpng16-16)

prepare() {
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQATRT_TRAIN=OFF >/dev/null
  ninja -C "$BUILD" -j"${JOBS:-2}" qatrt test_unit_cuda
  # The conv benchmark needs only the kernels, but the CUDA backend's static library resolves some of their
  # library symbols through its other members (cuDNN's float layers), so those libraries come along.
  "$NVCC" -O3 -std=c++17 "${ARCH[@]}" -Isrc -o "$BUILD/cuda_conv_bench" bench/cuda_conv_bench.cu \
    "$BUILD/libqatrt_cuda.a" "$BUILD/libqatrt_reference.a" "$BUILD/libqatrt_core.a" -lcudnn
  mkdir -p "$BUILD/debs"
  (cd "$BUILD/debs" && apt-get download "${RUNTIME_DEBS[@]}" 2>&1 | grep -v unsandboxed || true)
  local dev=../shared/data/imagenet-val-dev
  if [[ -f $dev/labels.txt ]]; then
    rm -rf "$VAL" && mkdir -p "$VAL/images"
    head -"$VAL_IMAGES" "$dev/labels.txt" > "$VAL/labels.txt"
    awk '{print $1}' "$VAL/labels.txt" | while read -r f; do cp "$dev/$f" "$VAL/$f"; done
  fi
  "$BUILD/qatrt" export --onnx build/main-job/resnet50-qdq.onnx --weights int8 --output "$QDQ" >/dev/null
  du -ch "$BUILD/qatrt" "$BUILD/tests/test_unit_cuda" "$BUILD/cuda_conv_bench" "$BUILD/debs" "$QDQ" "$VAL" | tail -1
}

# The ResNet-50 plans, built here (on the device) from the carried Q/DQ model; a plan already there is kept.
plans() {
  [[ -f $QDQ ]] || { echo "== plans: no Q/DQ model at $QDQ (carry it)"; return 0; }
  local flag path
  for flag in int8 fp32 fp16; do
    path=$PLAN
    [[ $flag == fp32 ]] && path=$FP32_PLAN
    [[ $flag == fp16 ]] && path=$FP16_PLAN
    [[ -f $path ]] && continue
    echo "== plans: qatrt build --$flag → $path"
    "$BUILD/qatrt" build --onnx "$QDQ" --"$flag" --saveEngine "$path" > "$LOGS/build_$flag.log" 2>&1 ||
      { tail -5 "$LOGS/build_$flag.log"; return 1; }
  done
}

deps() {
  echo "== deps: $(ls "$BUILD"/debs/*.deb | wc -l) packages into /opt/deps"
  for f in "$BUILD"/debs/*.deb; do dpkg -x "$f" /opt/deps; done
}

# cuDNN from PyTorch's pip wheel: its lib/ holds libcudnn.so.9 and the libcudnn_*.so.9 it loads at run time,
# which in turn may load cuBLASLt and NVRTC from their own wheels; those lib/ folders follow the CUDA
# toolkit's on the path, so the toolkit's libraries win wherever the names agree.
env_for_binaries() {
  local wheels
  wheels=$(python3 - <<'PY' 2>/dev/null || true
import importlib, os
dirs = []
for name in ("nvidia.cudnn", "nvidia.cublas", "nvidia.cuda_nvrtc"):
    try:
        dirs.append(os.path.join(list(importlib.import_module(name).__path__)[0], "lib"))
    except ImportError:
        pass
print(":".join(dirs))
PY
)
  [[ $wheels == *cudnn* ]] || echo "warning: no nvidia.cudnn pip package: the float layers need libcudnn.so.9 on LD_LIBRARY_PATH"
  export LD_LIBRARY_PATH=/opt/deps/usr/lib/x86_64-linux-gnu:/usr/local/cuda/lib64${wheels:+:$wheels}:${LD_LIBRARY_PATH:-}
  export QATRT_RESNET50_PLAN=$PWD/$PLAN QATRT_RESNET50_FP32_PLAN=$PWD/$FP32_PLAN
}

# A kernel that deadlocks would otherwise hang the whole device call: the tests get TEST_TIMEOUT seconds.
run_tests() {
  echo "== tests"
  timeout "${TEST_TIMEOUT:-300}" "$BUILD/tests/test_unit_cuda" --gtest_color=no 2>&1 | tee "$LOGS/test_unit_cuda.log"
}

bench() {
  echo "== bench: conv layers"
  "$BUILD/cuda_conv_bench" 2>&1 | tee "$LOGS/cuda_conv_bench.log"
}

network() {
  [[ -f $PLAN ]] || { echo "== network: no plan at $PLAN (carry the Q/DQ model)"; return 0; }
  local batch
  for batch in 1 256; do
    echo "== network: qatrt bench --backend cuda --batch $batch"
    "$BUILD/qatrt" bench --engine "$PLAN" --backend cuda --batch "$batch" --duration 3 \
      --exportProfile "$LOGS/profile_b$batch.json" 2>&1 | tee "$LOGS/network_b$batch.log"
  done
  local precision plan
  for precision in fp32 fp16; do
    plan=$FP32_PLAN
    [[ $precision == fp16 ]] && plan=$FP16_PLAN
    [[ -f $plan ]] || { echo "== network: no ${precision^^} plan at $plan"; continue; }
    for batch in 1 256; do
      echo "== network: qatrt bench --backend cuda --batch $batch, ${precision^^} plan (cuDNN)"
      "$BUILD/qatrt" bench --engine "$plan" --backend cuda --batch "$batch" --duration 3 \
        --exportProfile "$LOGS/profile_${precision}_b$batch.json" 2>&1 | tee "$LOGS/network_${precision}_b$batch.log"
    done
  done
}

# Instruction counts of the conv kernels (sm_90a: the mma.sync tiles and the wgmma tiles), read from the built
# library here or from the benchmark binary there (this machine may lack cuobjdump).
sass() {
  command -v cuobjdump >/dev/null || { echo "== sass: no cuobjdump"; return 0; }
  echo "== sass: instructions per conv kernel (sm_90a)"
  local binary=$BUILD/libqatrt_cuda.a
  [[ -f $binary ]] || binary=$BUILD/cuda_conv_bench  # on the GPU machine only the binaries travel
  cuobjdump -sass "$binary" > "$LOGS/conv.sass"
  awk '/Function :/ { name = $3 } name ~ /conv_fprop_kernel|conv_gemm_sm90_kernel/ &&
         /IMMA|GMMA|LDSM|LDGSTS|UTMALDG|SYNCS|LDL|STL|BAR.SYNC/ {
         match($0, /(IMMA|[A-Z]*GMMA|LDSM|LDGSTS|UTMALDG|SYNCS|LDL|STL|BAR\.SYNC)[.A-Z0-9]*/)
         count[name " " substr($0, RSTART, RLENGTH)]++ }
       END { for (k in count) print "  " k ": " count[k] }' "$LOGS/conv.sass" | sort
}

# Nsight Compute on one launch per tile of each layer named (a substring of its bench name), e.g.
#   scripts/gpu-tests.sh profile "l1 1x1 64>256" "l3 3x3 256"
profile() {
  command -v ncu >/dev/null || { echo "== profile: no ncu"; return 0; }
  local i=0 layer
  for layer in "$@"; do
    i=$((i + 1))
    echo "== profile: $layer (full report in $LOGS/ncu_$i.txt)"
    ncu --kernel-name regex:"conv_fprop_kernel|conv_gemm_sm90_kernel" --section SpeedOfLight --section Occupancy \
        --section LaunchStats --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis \
        --section SourceCounters --section InstructionStats \
        "$BUILD/cuda_conv_bench" "$layer" 0 > "$LOGS/ncu_$i.txt" 2>&1 || true
    grep -E "conv_fprop_kernel<|conv_gemm_sm90_kernel<|Duration|Compute \(SM\) Throughput|DRAM Throughput|Achieved Occupancy|Registers Per|Issue Slots Busy|No Eligible|Warp Cycles Per Issued|Executed Instructions  " \
      "$LOGS/ncu_$i.txt" | sed 's/qatrt::cuda::conv_int8:://g' | head -120
  done
}

# Top-1 of the plan on the carried dev images, on the CPU backend and on the GPU, and their per-image agreement.
accuracy() {
  [[ -f $PLAN && -f $VAL/labels.txt ]] || { echo "== accuracy: no plan or no $VAL (carry them)"; return 0; }
  local backend
  for backend in cpu cuda; do
    echo "== accuracy: qatrt eval --backend $backend on $(wc -l < "$VAL/labels.txt") dev images"
    "$BUILD/qatrt" eval --engine "$PLAN" --data "$VAL" --backend "$backend" --batch 50 --json "$LOGS/eval_$backend.json" \
      > "$LOGS/eval_$backend.log" 2>&1 || { tail -5 "$LOGS/eval_$backend.log"; return 1; }
  done
  python3 - "$LOGS/eval_cpu.json" "$LOGS/eval_cuda.json" <<'PY'
import json, sys
cpu, gpu = (json.load(open(path))["plans"][0] for path in sys.argv[1:3])
same = sum(a == b for a, b in zip(cpu["top1_per_image"], gpu["top1_per_image"]))
print(f"top-1 cpu {cpu['top1']:.2%}, cuda {gpu['top1']:.2%}; top-5 cpu {cpu['top5']:.2%}, cuda {gpu['top5']:.2%}; "
      f"per-image top-1 agreement {same}/{len(cpu['top1_per_image'])}")
# The GPU is exact to the reference backend; the CPU backend's oneDNN epilogue rounds some half-way points 1 LSB
# off it, which moved 3 of these 200 top-1s (H100, 2026-11-27). Fail on more than that kind of noise.
sys.exit(0 if same >= 0.97 * len(cpu["top1_per_image"]) else 1)
PY
}

torch_bench() {
  if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    echo "== torch (same layers)"
    PYTHONUNBUFFERED=1 python3 bench/cuda_conv_torch.py 2>&1 | tee "$LOGS/cuda_conv_torch.log"
  else
    echo "== torch: not available with a GPU here, skipped"
  fi
}

# Data-parallel replicas: one qatrt bench process per visible GPU (CUDA_VISIBLE_DEVICES), all at once, batch
# 256, input on each GPU; the sum of their throughputs against the first GPU's alone (from `network`).
multi_gpu() {
  local gpus
  gpus=$(nvidia-smi -L | wc -l)
  [[ $gpus -ge 2 && -f $PLAN ]] || { echo "== multi-gpu: $gpus GPU(s) visible, skipped"; return 0; }
  echo "== multi-gpu: $gpus replicas of qatrt bench --backend cuda --batch 256, concurrently"
  local g pids=()
  for ((g = 0; g < gpus; ++g)); do
    CUDA_VISIBLE_DEVICES=$g "$BUILD/qatrt" bench --engine "$PLAN" --backend cuda --batch 256 --duration 5 \
      > "$LOGS/multi_gpu_$g.log" 2>&1 &
    pids+=($!)
  done
  for g in "${pids[@]}"; do wait "$g"; done
  grep -h "^Throughput" "$LOGS"/multi_gpu_*.log
  awk '/^Throughput/ { sum += $4 } END { printf "  sum over replicas: %.1f images/s\n", sum }' "$LOGS"/multi_gpu_*.log
  grep -h "^Throughput" "$LOGS/network_b256.log" 2>/dev/null | sed 's/^/  one GPU alone (network step): /'
}

# compute-sanitizer memcheck over the CUDA tests (every kernel and the engine; the whole-ResNet-50 cases, which
# take minutes under the tool, stay in `test`).
memcheck() {
  command -v compute-sanitizer >/dev/null || { echo "== memcheck: no compute-sanitizer"; return 0; }
  echo "== memcheck: compute-sanitizer --tool memcheck test_unit_cuda (all but CudaResNet50*)"
  local rc=0
  compute-sanitizer --tool memcheck --error-exitcode 3 --leak-check full \
    "$BUILD/tests/test_unit_cuda" --gtest_color=no --gtest_filter='-CudaResNet50*' > "$LOGS/memcheck.log" 2>&1 || rc=$?
  grep -E "ERROR SUMMARY|PASSED|FAILED" "$LOGS/memcheck.log" | tail -5
  return $rc
}

# The card's practical dense INT8 (and FP16) GEMM peak through PyTorch, which scripts/tops_table.py states each
# profiled layer's TOPS against.
peak() {
  python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null ||
    { echo "== peak: torch does not see a GPU here, skipped"; return 0; }
  echo "== peak: dense INT8 / FP16 GEMM through PyTorch on this card"
  PYTHONUNBUFFERED=1 python3 bench/int8_peak_torch.py --json "$LOGS/int8_peak.json" 2>&1 | tee "$LOGS/int8_peak.log"
}

# PyTorch's ResNet-50 (FP16 / TF32 / FP32, channels_last, CUDA graph) at the batches `network` ran, then both
# side by side: the in-run baseline the issue asks for.
peers() {
  peak
  python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null ||
    { echo "== peers: torch does not see a GPU here, skipped"; return 0; }
  echo "== peers: PyTorch ResNet-50 on the same card"
  PYTHONUNBUFFERED=1 python3 bench/resnet50_torch.py --json "$LOGS/torch_resnet50.json" 2>&1 |
    tee "$LOGS/torch_resnet50.log"
  echo "== side by side (images/s, input on the GPU, CUDA graph)"
  local batch precision
  for batch in 1 256; do
    [[ -f $LOGS/network_b$batch.log ]] &&
      grep -h "^Throughput" "$LOGS/network_b$batch.log" | sed "s/^/  qatrt int8   batch $batch: /"
    for precision in fp32 fp16; do
      [[ -f $LOGS/network_${precision}_b$batch.log ]] &&
        grep -h "^Throughput" "$LOGS/network_${precision}_b$batch.log" | sed "s/^/  qatrt $precision   batch $batch: /"
    done
    grep -h "batch *$batch:" "$LOGS/torch_resnet50.log" | sed 's/^/  /'
  done
}

have_gpu() { command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; }

case "${1:-all}" in
  prepare) prepare ;;
  deps) deps ;;
  plans) env_for_binaries; plans ;;
  test) env_for_binaries; run_tests ;;
  bench) env_for_binaries; bench ;;
  network) env_for_binaries; network ;;
  accuracy) env_for_binaries; accuracy ;;
  torch) torch_bench ;;
  peers) peers ;;
  peak) peak ;;
  memcheck) env_for_binaries; memcheck ;;
  multi-gpu) env_for_binaries; multi_gpu ;;
  sass) sass ;;
  profile) shift; env_for_binaries; profile "$@" ;;
  all)
    deps
    env_for_binaries
    if have_gpu; then nvidia-smi -L; else echo "no GPU visible: device tests will skip, no benchmark"; fi
    status=0
    plans || status=1
    run_tests || status=1
    if have_gpu; then
      accuracy || status=1
      network || status=1
      peers || status=1
      multi_gpu || status=1
      bench || status=1
      memcheck || status=1
    fi
    exit $status
    ;;
  *) echo "usage: $0 [prepare|deps|plans|test|bench|network|accuracy|peers|peak|multi-gpu|memcheck|torch|sass|profile LAYER...|all]" >&2; exit 2 ;;
esac
