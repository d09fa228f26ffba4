// ONNX (opset 13+) → IR. Any unsupported op, attribute or data type is an error that names the node, the op,
// the value and a remedy. QuantizeLinear/DequantizeLinear scale/zero-point must be constants (they become
// attributes, see src/ir/ops.h). The returned graph is shape-inferred and verified.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

StatusOr<Graph> import_onnx_file(const std::string& path);
StatusOr<Graph> import_onnx_bytes(const std::string& bytes, const std::string& model_name);

// ONNX op types (default domain) the importer accepts, including Constant (folded into constant values).
std::vector<std::string> supported_onnx_ops();

// The oldest default-domain opset the importer accepts; older models must be converted first.
constexpr int64_t kMinOnnxOpset = 13;

}  // namespace qatrt
