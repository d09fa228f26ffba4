// ONNX (opset 13+) → IR. Any unsupported op, attribute or data type is an error that names the node, the op,
// the value and a remedy. QuantizeLinear/DequantizeLinear scale/zero-point must be constants (they become
// attributes, see src/ir/ops.h). The returned graph is shape-inferred and verified.
#pragma once

#include <string>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

StatusOr<Graph> import_onnx_file(const std::string& path);
StatusOr<Graph> import_onnx_bytes(const std::string& bytes, const std::string& model_name);

}  // namespace qatrt
