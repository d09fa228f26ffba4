#!/bin/bash
# Configure, build and run every test (unit, conformance, golden, e2e) on this machine's cores, then the same
# suite (less golden) again under AddressSanitizer + UBSan (scripts/test-sanitizers.sh).
#   QATRT_BUILD_DIR         build folder (default: build/ in the repository)
#   QATRT_SKIP_SANITIZERS=1 skip the sanitizer pass (a quicker local run)
#   extra arguments go to ctest, e.g. scripts/test.sh -L golden   or   scripts/test.sh -R ResNet
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${QATRT_BUILD_DIR:-$root/build}
jobs=$(nproc)

# -O1 for the tests' own sources only (see QATRT_TEST_COMPILE_OPTIONS in tests/CMakeLists.txt).
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQATRT_TEST_COMPILE_OPTIONS=-O1
ninja -C "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
if [[ ${QATRT_SKIP_SANITIZERS:-0} != 1 ]]; then
  "$root/scripts/test-sanitizers.sh" "$@"
fi
