#!/usr/bin/env bash
# Builds and runs qatrt's CUDA tests (tests/unit/cuda) and the INT8 convolution benchmark
# (bench/cuda_conv_bench.cu) on the GPU machine.
#
# That machine has CUDA, g++ and Python/PyTorch but none of the Debian dev packages the full CMake build needs
# (ONNX, oneDNN, gtest, ...), so this script compiles only the CUDA backend, src/core and the CUDA tests with
# direct nvcc / g++ command lines, against googletest sources carried from this machine:
#
#   here:   scripts/gpu-tests.sh prepare        # copies /usr/src/googletest to build-gpu/googletest
#   device: run(command="scripts/gpu-tests.sh all", carry=["build-gpu/googletest"])
#
# Steps (default "all"): build, test, sass (instruction counts of the conv kernels), bench, and torch (the
# same layers through PyTorch's cuDNN fp16 convolution and int8 GEMM, when torch sees a GPU). Logs go to
# $OUT when it is set (the device tool's output folder), else to build-gpu/.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${QATRT_GPU_BUILD:-build-gpu}
GTEST_SRC=${GTEST_SRC:-$BUILD/googletest}
LOGS=${OUT:-$BUILD}
JOBS=${JOBS:-$(nproc)}
NVCC=${NVCC:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}
CUDA_HOME=$(dirname "$(dirname "$NVCC")")
ARCH=(-gencode=arch=compute_90a,code=sm_90a -gencode=arch=compute_80,code=compute_80)
CXXFLAGS=(-O2 -std=c++20 -Wall -Wextra -Wno-missing-field-initializers -DQATRT_HAVE_CUDA=1
          -Isrc -Itests -I"$GTEST_SRC/googletest/include" -I"$CUDA_HOME/include")
NVCCFLAGS=(-O3 -std=c++17 "${ARCH[@]}" -Isrc -Xptxas -warn-spills -lineinfo)

prepare() {
  mkdir -p "$BUILD"
  rm -rf "$BUILD/googletest"
  cp -r /usr/src/googletest "$BUILD/googletest"
  echo "googletest sources in $BUILD/googletest ($(du -sh "$BUILD/googletest" | cut -f1)); carry that path"
}

# Compiles "compiler output source [flags...]" lines from stdin, JOBS at a time.
compile_all() {
  xargs -P "$JOBS" -L 1 bash -c 'set -e; compiler=$1 out=$2 src=$3; shift 3; echo "  $src"; "$compiler" "$@" -c "$src" -o "$out"' _
}

build() {
  [[ -f "$GTEST_SRC/googletest/src/gtest-all.cc" ]] || { echo "no googletest sources in $GTEST_SRC: run '$0 prepare' here and carry them" >&2; exit 1; }
  mkdir -p "$BUILD/obj"
  echo "== build ($("$NVCC" --version | tail -1), $(g++ --version | head -1), $JOBS jobs)"
  {
    for f in src/backends/cuda/*.cu; do
      echo "$NVCC $BUILD/obj/cuda_$(basename "$f" .cu).o $f ${NVCCFLAGS[*]}"
    done
    for f in src/core/*.cc tests/unit/cuda/*.cc; do
      echo "g++ $BUILD/obj/$(echo "${f%.cc}" | tr / _).o $f ${CXXFLAGS[*]}"
    done
    echo "g++ $BUILD/obj/gtest-all.o $GTEST_SRC/googletest/src/gtest-all.cc -O2 -I$GTEST_SRC/googletest/include -I$GTEST_SRC/googletest"
    echo "g++ $BUILD/obj/gtest_main.o $GTEST_SRC/googletest/src/gtest_main.cc -O2 -I$GTEST_SRC/googletest/include"
    echo "$NVCC $BUILD/obj/cuda_conv_bench.o bench/cuda_conv_bench.cu ${NVCCFLAGS[*]}"
  } | compile_all
  local cuda_objs=("$BUILD"/obj/cuda_*.o)
  local lib_objs=()
  for o in "${cuda_objs[@]}"; do [[ $o == */cuda_conv_bench.o ]] || lib_objs+=("$o"); done
  g++ -o "$BUILD/test_unit_cuda" "${lib_objs[@]}" "$BUILD"/obj/src_core_*.o "$BUILD"/obj/tests_unit_cuda_*.o \
      "$BUILD/obj/gtest-all.o" "$BUILD/obj/gtest_main.o" -L"$CUDA_HOME/lib64" -lcudart -lpthread
  "$NVCC" "${ARCH[@]}" -o "$BUILD/cuda_conv_bench" "$BUILD/obj/cuda_conv_bench.o" "${lib_objs[@]}"
  echo "built $BUILD/test_unit_cuda and $BUILD/cuda_conv_bench"
}

run_tests() {
  echo "== tests"
  "$BUILD/test_unit_cuda" --gtest_color=no 2>&1 | tee "$LOGS/test_unit_cuda.log"
}

sass() {
  command -v cuobjdump >/dev/null || { echo "== sass: no cuobjdump"; return 0; }
  echo "== sass: instructions per conv kernel (sm_90a)"
  cuobjdump -sass "$BUILD/obj/cuda_conv_fprop_s8nhwc_s8krsc_s32acc_sm80.o" > "$BUILD/conv.sass"
  awk '/Function :/ { name = $3 } name && /IMMA|LDSM|LDGSTS|LDL|STL|BAR.SYNC/ {
         match($0, /(IMMA|LDSM|LDGSTS|LDL|STL|BAR\.SYNC)[.A-Z0-9]*/); count[name " " substr($0, RSTART, RLENGTH)]++ }
       END { for (k in count) print "  " k ": " count[k] }' "$BUILD/conv.sass" | sort
}

bench() {
  echo "== bench"
  "$BUILD/cuda_conv_bench" 2>&1 | tee "$LOGS/cuda_conv_bench.log"
}

# Nsight Compute on one launch per tile of each layer named (a substring of its bench name), e.g.
#   scripts/gpu-tests.sh profile "l1 1x1 64>256" "l3 3x3 256"
profile() {
  command -v ncu >/dev/null || { echo "== profile: no ncu"; return 0; }
  local i=0 layer
  for layer in "$@"; do
    i=$((i + 1))
    echo "== profile: $layer (full report in $LOGS/ncu_$i.txt)"
    ncu --kernel-name regex:conv_fprop_kernel --section SpeedOfLight --section Occupancy --section LaunchStats \
        --section WarpStateStats --section SchedulerStats --section MemoryWorkloadAnalysis \
        "$BUILD/cuda_conv_bench" "$layer" 0 > "$LOGS/ncu_$i.txt" 2>&1 || true
    grep -E "conv_fprop_kernel<|Duration|Compute \(SM\) Throughput|DRAM Throughput|Achieved Occupancy|Registers Per|Issue Slots Busy|No Eligible|Warp Cycles Per Issued" \
      "$LOGS/ncu_$i.txt" | sed 's/qatrt::cuda::conv_int8:://g' | head -120
  done
}

torch_bench() {
  if python3 -c 'import torch, sys; sys.exit(0 if torch.cuda.is_available() else 1)' 2>/dev/null; then
    echo "== torch (same layers)"
    PYTHONUNBUFFERED=1 python3 bench/cuda_conv_torch.py 2>&1 | tee "$LOGS/cuda_conv_torch.log"
  else
    echo "== torch: not available with a GPU here, skipped"
  fi
}

have_gpu() { command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; }

case "${1:-all}" in
  prepare) prepare ;;
  build) build ;;
  test) run_tests ;;
  sass) sass ;;
  bench) bench ;;
  torch) torch_bench ;;
  profile) shift; profile "$@" ;;
  all)
    build
    if have_gpu; then nvidia-smi -L; else echo "no GPU visible: device tests will skip, no benchmark"; fi
    status=0
    run_tests || status=1
    sass
    if have_gpu; then
      bench || status=1
      torch_bench || status=1
    fi
    exit $status
    ;;
  *) echo "usage: $0 [prepare|build|test|sass|bench|torch|all]" >&2; exit 2 ;;
esac
