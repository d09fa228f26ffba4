// Keras model saved in the TensorFlow.js layers format (model.json + binary weight shards) → IR.
//
// The IR is NCHW like the rest of qatrt, while Keras holds images NHWC: the graph input [N,H,W,C] becomes
// [N,C,H,W] (N dynamic), conv kernels HWIO become OIHW, channel axes move to 1, and a Flatten of an image is
// preceded by a Transpose back to NHWC so the following Dense sees Keras' element order. Supported layer
// classes are listed in layer_table.cc; anything else is an error naming the layer, its class and a remedy.
// ZeroPadding2D is folded into the following Conv (always exact) or MaxPool (exact only on a Relu output:
// see fold_zero_padding.h). BatchNormalization stays a node: the passes fold it.
// The returned graph is shape-inferred and verified.
#pragma once

#include <string>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

StatusOr<Graph> import_keras_tfjs(const std::string& model_json_path);

}  // namespace qatrt
