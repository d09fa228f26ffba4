#!/bin/bash
# The unit, conformance and end-to-end tests again, built with AddressSanitizer + UndefinedBehaviorSanitizer
# (CUDA off: no device code runs here anyway). Golden tests are left to scripts/test.sh: they only add
# model exports, not code paths of ours. The QAT trainer (src/train, libtorch) is left out too
# (QATRT_TRAIN=OFF): Debian's libtorch is not built with the sanitizers, so ASan would only see our side of
# every call while its libtorch TUs add minutes of compile on CI's 2 cores; the trainer's own code runs in
# the normal build's tests.
# -Og -g1 instead of RelWithDebInfo's -O2 -g: the instrumented build compiles ~3x faster (bench_command.cc
# 48 -> 17 s, calibration_cache.cc 27 -> 8 s of CPU), which is most of this pass's time on CI's 2 cores, while
# the tests here run in seconds either way. -g1 keeps the file:line in sanitizer stack traces. NDEBUG stays
# defined as before, so the asserts are the same as in the normal build.
# The golden tests are not even built (QATRT_GOLDEN_TESTS=OFF) since they do not run here.
#   QATRT_SANITIZE_BUILD_DIR  build folder (default: build-sanitize/ in the repository)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${QATRT_SANITIZE_BUILD_DIR:-$root/build-sanitize}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-Og -g1 -DNDEBUG" \
  -DQATRT_SANITIZE=ON -DQATRT_CUDA=OFF -DQATRT_TRAIN=OFF -DQATRT_GOLDEN_TESTS=OFF
ninja -C "$build" -j "$(nproc)"
# Leak checking stays on; halt on the first UB report so a finding fails the test that caused it.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_odr_violation=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" -LE golden "$@"
