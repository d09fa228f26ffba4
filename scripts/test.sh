#!/bin/bash
# Configure, build and run every test (unit, conformance, golden, e2e) on this machine's cores.
#   QATRT_BUILD_DIR  build folder (default: build/ in the repository)
#   extra arguments go to ctest, e.g. scripts/test.sh -L golden   or   scripts/test.sh -R ResNet
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${QATRT_BUILD_DIR:-$root/build}
jobs=$(nproc)

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release
ninja -C "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
