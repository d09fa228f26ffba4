#!/bin/bash
# Installs everything qatrt needs on a fresh Debian 12 (bookworm), from Debian's archive and npm only:
#   build: compiler, CMake, Ninja, ONNX/protobuf, oneDNN, libjpeg-turbo, libpng, CLI11, nlohmann-json
#   tests: GoogleTest/GoogleMock, google-benchmark, the ONNX node tests (libonnx-testdata)
#   trainer: libtorch-dev, and libgloo-dev for CPU data parallelism (Gloo headers)
#   model export and peers: Debian's python3 with torch 1.13, onnx, numpy, scikit-image (its sample photos
#     are the test images); node + ONNX Runtime from npm (tools/ort, CPU library, no install scripts)
# Idempotent; run as root or with sudo available.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

sudo=()
if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive

packages=(
  build-essential cmake ninja-build pkg-config
  libonnx-dev libprotobuf-dev protobuf-compiler libdnnl-dev libturbojpeg0-dev libpng-dev
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libonnx-testdata
  python3 python3-torch python3-onnx python3-numpy python3-skimage
  libtorch-dev libgloo-dev
)
# node may come from elsewhere (e.g. NodeSource, whose nodejs bundles npm and conflicts with Debian's npm):
# take Debian's only when none is installed. ONNX Runtime's N-API binding works with Debian's node 18.
if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
  packages+=(nodejs npm)
fi

"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${packages[@]}"

# The exact versions in tools/ort/package-lock.json. --ignore-scripts: onnxruntime-node's install script only
# downloads CUDA binaries; the CPU library ships in the package.
npm ci --ignore-scripts --no-audit --no-fund --prefix "$root/tools/ort"
node -e "require('$root/tools/ort/load.js')" && echo "ONNX Runtime for node: OK"
