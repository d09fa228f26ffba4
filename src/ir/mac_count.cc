#include "ir/mac_count.h"

namespace qatrt {
namespace {

// The shape of `id` (an operand or the output, named by `role` in errors), which must be present and static.
// An empty shape is taken as not yet inferred (which refuses the one 0-D product, MatMul of two vectors).
StatusOr<Shape> static_shape(const Graph& graph, const Node& node, ValueId id, const char* role) {
  if (id == kNoValue)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": no ", role, " to count its MACs from");
  const Value& v = graph.value(id);
  if (v.shape.empty() || !shape_is_static(v.shape))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", role, " '", v.name, "' has shape ",
                      shape_to_string(v.shape), "; MACs are counted from static shapes (bind the batch first)");
  return v.shape;
}

// The reduction length K of a matrix product: a's (or w's) dim `dim`.
StatusOr<int64_t> reduction_length(const Node& node, const Shape& operand, size_t dim, const char* role) {
  if (dim >= operand.size())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", role, " has shape ",
                      shape_to_string(operand), ", which has no dim ", dim, " to reduce over");
  return operand[dim];
}

}  // namespace

bool counts_macs(Op op) {
  switch (op) {
    case Op::kConv:
    case Op::kFusedConv:
    case Op::kQConv:
    case Op::kGemm:
    case Op::kMatMul:
    case Op::kFusedGemm:
    case Op::kQGemm:
      return true;
    default:
      return false;
  }
}

StatusOr<int64_t> count_macs(const Graph& graph, const Node& node) {
  if (!counts_macs(node.op)) return int64_t{0};
  if (node.inputs.size() < 2 || node.outputs.empty())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": has ", node.inputs.size(), " inputs and ",
                      node.outputs.size(), " outputs; a product needs two operands and an output");
  QATRT_ASSIGN_OR_RETURN(Shape y, static_shape(graph, node, node.outputs[0], "output"));
  const int64_t outputs = shape_numel(y);
  switch (node.op) {
    case Op::kConv:
    case Op::kFusedConv:
    case Op::kQConv: {
      QATRT_ASSIGN_OR_RETURN(Shape w, static_shape(graph, node, node.inputs[1], "weight"));
      if (w.size() < 3 || w[0] <= 0)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": weight shape ", shape_to_string(w),
                          " is not [K, C/group, kernel...]");
      return outputs * (shape_numel(w) / w[0]);
    }
    case Op::kGemm: {
      QATRT_ASSIGN_OR_RETURN(Shape a, static_shape(graph, node, node.inputs[0], "input a"));
      QATRT_ASSIGN_OR_RETURN(int64_t k, reduction_length(node, a, node.attr_int("transA", 0) ? 0 : 1, "input a"));
      return outputs * k;
    }
    case Op::kMatMul: {
      QATRT_ASSIGN_OR_RETURN(Shape a, static_shape(graph, node, node.inputs[0], "input a"));
      return outputs * a.back();
    }
    default: {  // FusedGemm, QGemm: w is [N, K]
      QATRT_ASSIGN_OR_RETURN(Shape w, static_shape(graph, node, node.inputs[1], "weight"));
      QATRT_ASSIGN_OR_RETURN(int64_t k, reduction_length(node, w, 1, "weight"));
      return outputs * k;
    }
  }
}

}  // namespace qatrt
