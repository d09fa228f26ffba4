#include "ir/verifier.h"

#include <vector>

namespace qatrt {
namespace {

struct Arity {
  size_t min_inputs, max_inputs;
};

// Inputs each op accepts (after import normalisation, see src/ir/ops.h).
Arity arity(Op op) {
  switch (op) {
    case Op::kConv: return {2, 3};
    case Op::kGemm: return {2, 3};
    case Op::kMatMul: return {2, 2};
    case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv: return {2, 2};
    case Op::kClip: return {1, 3};
    case Op::kReshape: return {2, 2};
    case Op::kSqueeze: case Op::kUnsqueeze: return {1, 2};
    case Op::kPad: return {2, 3};
    case Op::kConcat: return {1, 1 << 16};
    case Op::kBatchNormalization: return {5, 5};
    case Op::kFusedConv: case Op::kQConv: case Op::kFusedGemm: case Op::kQGemm: return {2, 4};
    default: return {1, 1};
  }
}

Status node_error(const Node& node, const std::string& what) {
  return make_error(StatusCode::kInternal, "IR verifier: ", node.describe(), ": ", what);
}

Status check_qdq_attrs(const Graph& graph, const Node& node) {
  auto scales = node.attr_floats("scale");
  auto zero_points = node.attr_ints("zero_point");
  if (scales.empty() || scales.size() != zero_points.size())
    return node_error(node, "scale/zero_point attributes missing or of different lengths");
  for (float s : scales)
    if (!(s > 0.0f) && node.op == Op::kQuantizeLinear)
      return node_error(node, "scale " + std::to_string(s) + " is not positive");
  if (scales.size() > 1) {
    const Shape& shape = graph.value(node.inputs[0]).shape;
    int64_t axis = node.attr_int("axis", 1);
    if (axis < 0 || axis >= static_cast<int64_t>(shape.size()))
      return node_error(node, "per-axis quantization axis " + std::to_string(axis) + " out of range");
    if (shape[axis] >= 0 && shape[axis] != static_cast<int64_t>(scales.size()))
      return node_error(node, "per-axis scale has " + std::to_string(scales.size()) + " elements, axis " +
                                  std::to_string(axis) + " has " + std::to_string(shape[axis]));
  }
  return {};
}

Status check_quantized_operand(const Graph& graph, const Node& node, ValueId id, bool must_be_constant) {
  const Value& v = graph.value(id);
  if (must_be_constant && !v.constant) return node_error(node, "operand '" + v.name + "' must be a constant");
  if (is_quantized_type(v.dtype) && !v.quant)
    return node_error(node, "quantized operand '" + v.name + "' has no quantization parameters");
  return {};
}

Status check_fused(const Graph& graph, const Node& node) {
  bool quantized = node.op == Op::kQConv || node.op == Op::kQGemm;
  const Value& x = graph.value(node.inputs[0]);
  const Value& w = graph.value(node.inputs[1]);
  if (quantized != is_quantized_type(x.dtype))
    return node_error(node, std::string("input '") + x.name + "' has dtype " + std::string(dtype_name(x.dtype)));
  QATRT_RETURN_IF_ERROR(check_quantized_operand(graph, node, node.inputs[0], false));
  QATRT_RETURN_IF_ERROR(check_quantized_operand(graph, node, node.inputs[1], true));
  if (quantized && w.dtype != DType::kInt8) return node_error(node, "weight '" + w.name + "' must be int8");
  if (node.inputs.size() > 2 && node.inputs[2] != kNoValue) {
    const Value& b = graph.value(node.inputs[2]);
    if (!b.constant || (b.dtype != DType::kFloat32 && b.dtype != DType::kFloat16))
      return node_error(node, "bias '" + b.name + "' must be a float constant");
  }
  if (node.inputs.size() > 3 && node.inputs[3] != kNoValue)
    QATRT_RETURN_IF_ERROR(check_quantized_operand(graph, node, node.inputs[3], false));
  const Value& y = graph.value(node.outputs[0]);
  if (is_quantized_type(y.dtype) && !y.quant) return node_error(node, "quantized output has no quantization parameters");
  return {};
}

}  // namespace

Status verify_graph(const Graph& graph) {
  const auto count = static_cast<ValueId>(graph.values.size());
  auto in_range = [&](ValueId id) { return id >= 0 && id < count; };
  std::vector<bool> defined(graph.values.size(), false);
  for (ValueId id = 0; id < count; ++id) defined[id] = graph.value(id).constant.has_value();
  for (ValueId id : graph.inputs) {
    if (!in_range(id)) return make_error(StatusCode::kInternal, "IR verifier: graph input id ", id, " out of range");
    defined[id] = true;
  }
  std::vector<bool> produced(graph.values.size(), false);
  for (const Node& node : graph.nodes) {
    if (static_cast<size_t>(node.op) >= static_cast<size_t>(Op::kCount)) return node_error(node, "invalid op");
    Arity a = arity(node.op);
    if (node.inputs.size() < a.min_inputs || node.inputs.size() > a.max_inputs)
      return node_error(node, "has " + std::to_string(node.inputs.size()) + " inputs, expected " +
                                  std::to_string(a.min_inputs) + ".." + std::to_string(a.max_inputs));
    if (node.outputs.size() != 1) return node_error(node, "must have exactly one output");
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      ValueId id = node.inputs[i];
      if (id == kNoValue) {
        if (i < a.min_inputs) return node_error(node, "required input " + std::to_string(i) + " is absent");
        continue;
      }
      if (!in_range(id)) return node_error(node, "input id " + std::to_string(id) + " out of range");
      if (!defined[id])
        return node_error(node, "reads '" + graph.value(id).name + "' before it is produced (not topological)");
    }
    for (ValueId id : node.outputs) {
      if (!in_range(id)) return node_error(node, "output id out of range");
      if (produced[id] || graph.value(id).constant)
        return node_error(node, "output '" + graph.value(id).name + "' is produced twice");
      produced[id] = defined[id] = true;
    }
    if (node.op == Op::kQuantizeLinear || node.op == Op::kDequantizeLinear)
      QATRT_RETURN_IF_ERROR(check_qdq_attrs(graph, node));
    if (node.op == Op::kFusedConv || node.op == Op::kQConv || node.op == Op::kFusedGemm || node.op == Op::kQGemm)
      QATRT_RETURN_IF_ERROR(check_fused(graph, node));
    if (node.op == Op::kRequantize) {
      QATRT_RETURN_IF_ERROR(check_quantized_operand(graph, node, node.inputs[0], false));
      if (!graph.value(node.outputs[0]).quant) return node_error(node, "output has no quantization parameters");
    }
  }
  for (ValueId id : graph.outputs)
    if (!in_range(id) || !defined[id])
      return make_error(StatusCode::kInternal, "IR verifier: graph output ",
                        in_range(id) ? "'" + graph.value(id).name + "'" : std::to_string(id), " is never produced");
  return {};
}

}  // namespace qatrt
