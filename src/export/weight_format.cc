#include "export/weight_format.h"

#include <algorithm>

namespace qatrt {
namespace {

QuantParams node_params(const Node& node) {
  return {node.attr_floats("scale"), node.attr_ints("zero_point"), node.attr_int("axis", 1)};
}

// Channel of each flat element along params.axis (0 for per-tensor), for a row-major tensor of `shape`.
class ChannelOf {
 public:
  ChannelOf(const Shape& shape, const QuantParams& params) {
    if (!params.per_axis()) return;
    channels_ = shape[params.axis];
    for (size_t d = params.axis + 1; d < shape.size(); ++d) inner_ *= shape[d];
  }
  int64_t operator()(int64_t index) const { return (index / inner_) % channels_; }

 private:
  int64_t inner_ = 1;
  int64_t channels_ = 1;
};

Status check_params(const Node& node, const Value& v, const QuantParams& params) {
  if (params.scales.empty() || params.scales.size() != params.zero_points.size())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": scale / zero_point attributes are missing");
  if (params.per_axis() && (params.axis < 0 || params.axis >= static_cast<int64_t>(v.shape.size()) ||
                            v.shape[params.axis] != static_cast<int64_t>(params.scales.size())))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", params.scales.size(),
                      " per-axis scales do not match axis ", params.axis, " of '", v.name, "' ",
                      shape_to_string(v.shape));
  return {};
}

// w:f32 const → Q  ⇒  int8 constant.
Status quantize_constant_inputs(Graph& graph) {
  std::vector<int> folded;
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    const Node& node = graph.nodes[i];
    if (node.op != Op::kQuantizeLinear || !graph.is_constant(node.inputs[0])) continue;
    const Value& w = graph.value(node.inputs[0]);
    if (w.dtype != DType::kFloat32) continue;
    QuantParams params = node_params(node);
    QATRT_RETURN_IF_ERROR(check_params(node, w, params));
    auto type = static_cast<DType>(node.attr_int("output_dtype", static_cast<int64_t>(DType::kUInt8)));
    if (!is_quantized_type(type))
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": output_dtype ", dtype_name(type),
                        " is not int8 or uint8");
    Tensor q(type, w.shape);
    ChannelOf channel_of(w.shape, params);
    auto x = w.constant->values<float>();
    for (int64_t k = 0; k < q.numel(); ++k) {
      int64_t c = channel_of(k);
      int32_t value = quantize_value(x[k], params.scale(c), params.zero_point(c), type);
      if (type == DType::kInt8)
        q.data<int8_t>()[k] = static_cast<int8_t>(value);
      else
        q.data<uint8_t>()[k] = static_cast<uint8_t>(value);
    }
    Value& out = graph.value(node.outputs[0]);
    out.dtype = type;
    out.shape = w.shape;
    out.constant = std::move(q);
    out.quant = params;
    folded.push_back(i);
  }
  graph.erase_nodes(folded);
  return {};
}

// int8 constant read by DQ  ⇒  f32 constant → Q.
Status dequantize_constant_weights(Graph& graph) {
  for (ValueId id = 0; id < static_cast<ValueId>(graph.values.size()); ++id) {
    const Value& v = graph.value(id);
    if (!v.constant || !is_quantized_type(v.dtype)) continue;
    std::vector<int> readers = graph.consumers(id);
    auto first_dq = std::find_if(readers.begin(), readers.end(),
                                 [&](int n) { return graph.nodes[n].op == Op::kDequantizeLinear; });
    if (first_dq == readers.end()) continue;
    const Node& dq = graph.nodes[*first_dq];
    QuantParams params = v.quant ? *v.quant : node_params(dq);
    QATRT_RETURN_IF_ERROR(check_params(dq, v, params));
    Tensor dequantized(DType::kFloat32, v.shape);
    ChannelOf channel_of(v.shape, params);
    for (int64_t k = 0; k < dequantized.numel(); ++k) {
      int64_t c = channel_of(k);
      dequantized.data<float>()[k] =
          dequantize_value(static_cast<int32_t>(v.constant->as_int64(k)), params.scale(c), params.zero_point(c));
    }
    std::string weight_name = v.name;
    DType type = v.dtype;
    ValueId weight = graph.add_constant(graph.unique_name(weight_name + "_float"), std::move(dequantized));
    Value& quantized = graph.value(id);
    quantized.constant.reset();
    quantized.quant = params;
    Node q{.name = graph.unique_name(weight_name + "_quantize"), .op = Op::kQuantizeLinear, .inputs = {weight},
           .outputs = {id}};
    q.attrs = {{"scale", params.scales},
               {"zero_point", params.zero_points},
               {"axis", params.axis},
               {"output_dtype", static_cast<int64_t>(type)}};
    graph.insert_node(static_cast<size_t>(*std::min_element(readers.begin(), readers.end())), std::move(q));
  }
  return {};
}

}  // namespace

Status convert_weight_format(Graph& graph, WeightFormat format) {
  return format == WeightFormat::kInt8 ? quantize_constant_inputs(graph) : dequantize_constant_weights(graph);
}

}  // namespace qatrt
