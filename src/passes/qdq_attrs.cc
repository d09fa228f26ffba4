#include "passes/qdq_attrs.h"

namespace qatrt {

QuantParams qdq_params(const Node& node) {
  QuantParams params;
  params.scales = node.attr_floats("scale");
  if (params.scales.empty() && node.has_attr("scale")) params.scales = {node.attr_float("scale", 1.0f)};
  params.zero_points = node.attr_ints("zero_point");
  if (params.zero_points.empty() && node.has_attr("zero_point"))
    params.zero_points = {node.attr_int("zero_point", 0)};
  if (params.zero_points.empty()) params.zero_points.assign(params.scales.size(), 0);
  params.axis = node.attr_int("axis", 1);
  return params;
}

void set_qdq_params(Node& node, const QuantParams& params) {
  node.attrs["scale"] = params.scales;
  node.attrs["zero_point"] = params.zero_points;
  node.attrs["axis"] = params.axis;
}

DType quantize_output_dtype(const Node& quantize) {
  return static_cast<DType>(quantize.attr_int("output_dtype", static_cast<int64_t>(DType::kUInt8)));
}

Node make_quantize_node(std::string name, ValueId input, ValueId output, const QuantParams& params, DType type) {
  Node node{.name = std::move(name), .op = Op::kQuantizeLinear, .inputs = {input}, .outputs = {output}};
  set_qdq_params(node, params);
  node.attrs["output_dtype"] = static_cast<int64_t>(type);
  return node;
}

Node make_dequantize_node(std::string name, ValueId input, ValueId output, const QuantParams& params) {
  Node node{.name = std::move(name), .op = Op::kDequantizeLinear, .inputs = {input}, .outputs = {output}};
  set_qdq_params(node, params);
  return node;
}

QuantParams expand_per_channel(const QuantParams& params, int64_t channels, int64_t axis) {
  if (params.per_axis()) return params;
  QuantParams expanded;
  expanded.scales.assign(static_cast<size_t>(channels), params.scales[0]);
  expanded.zero_points.assign(static_cast<size_t>(channels), params.zero_points[0]);
  expanded.axis = axis;
  return expanded;
}

ValueId add_value_like(Graph& graph, ValueId like, const std::string& base, DType dtype,
                       const std::optional<QuantParams>& quant) {
  Value value;
  value.name = graph.unique_name(base);
  value.dtype = dtype;
  value.shape = graph.value(like).shape;
  if (is_quantized_type(dtype)) value.quant = quant;
  return graph.add_value(std::move(value));
}

std::string describe_activation_dq(const Graph& graph, const GraphIndex& index, ValueId dequantized) {
  const Node* dq = index.producer_if(dequantized, Op::kDequantizeLinear);
  if (!dq) return "input not quantized: no DQ before it";
  const Value& q = graph.value(dq->inputs[0]);
  if (q.constant) return "input is a dequantized constant, not an activation";
  if (!is_quantized_type(q.dtype)) return "input DQ reads " + std::string(dtype_name(q.dtype)) + ", not int8/uint8";
  QuantParams params = qdq_params(*dq);
  if (params.per_axis()) return "input quantized per-axis; only per-tensor activations run int8";
  if (!q.quant || !(*q.quant == params))
    return "input DQ parameters differ from the quantization of '" + q.name + "'";
  return "";
}

const Node* activation_dq(const Graph& graph, const GraphIndex& index, ValueId dequantized) {
  if (!describe_activation_dq(graph, index, dequantized).empty()) return nullptr;
  return index.producer_if(dequantized, Op::kDequantizeLinear);
}

const Node* weight_dq(const Graph& graph, const GraphIndex& index, ValueId dequantized) {
  const Node* dq = index.producer_if(dequantized, Op::kDequantizeLinear);
  if (!dq) return nullptr;
  const Value& q = graph.value(dq->inputs[0]);
  if (!q.constant || !is_quantized_type(q.dtype)) return nullptr;
  return dq;
}

}  // namespace qatrt
