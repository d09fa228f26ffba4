// One IR node (an ONNX op: the exporter refuses fused ops before) → one ONNX opset-13 NodeProto. Undoes the importer's normalisations (src/ir/ops.h):
//   * Q / DQ: the scale / zero_point attributes become initializers "<node>_scale" / "<node>_zero_point"
//     (0-d when per-tensor; 1-D plus the "axis" attribute when per-axis), the zero point typed int8 / uint8;
//   * Squeeze / Unsqueeze with an "axes" attribute: opset 13 takes axes as an input;
//   * Reshape "allowzero" (opset 14): dropped when 0, refused when 1.
// Every other attribute must be one ONNX opset 13 defines for the op; anything else is an error, so the
// exporter never writes a model that ONNX tools would reject.
#pragma once

#include <onnx/onnx_pb.h>

#include <set>
#include <string>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

class NodeWriter {
 public:
  // Names of new initializers avoid every value name of `graph`.
  NodeWriter(const Graph& graph, onnx::GraphProto& proto);
  Status write(const Node& node);

 private:
  std::string add_initializer(const std::string& base, const Tensor& tensor);
  Status write_qdq_operands(const Node& node, onnx::NodeProto& proto);

  const Graph& graph_;
  onnx::GraphProto& proto_;
  std::set<std::string> used_names_;
};

}  // namespace qatrt
