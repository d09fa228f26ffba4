#include "backends/reference/kernel_util.h"

#include <cmath>
#include <string>

namespace qatrt::reference {

bool has_input(const Node& node, size_t i) { return i < node.inputs.size() && node.inputs[i] != kNoValue; }

Status check_arity(const Node& node, size_t min_inputs, size_t max_inputs, size_t outputs) {
  if (node.inputs.size() < min_inputs || node.inputs.size() > max_inputs)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": has ", node.inputs.size(),
                      " inputs, expected ", min_inputs, "..", max_inputs);
  for (size_t i = 0; i < min_inputs; ++i)
    if (node.inputs[i] == kNoValue)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": required input ", i, " is absent");
  if (node.outputs.size() != outputs)
    return make_error(StatusCode::kUnsupported, node.describe(), ": has ", node.outputs.size(),
                      " outputs, the reference backend computes exactly ", outputs);
  return {};
}

Status check_dtype(const Graph& graph, const Node& node, ValueId id, const char* role,
                   std::initializer_list<DType> allowed) {
  DType type = graph.value(id).dtype;
  for (DType a : allowed)
    if (a == type) return {};
  std::string names;
  for (DType a : allowed) names += (names.empty() ? "" : ", ") + std::string(dtype_name(a));
  return make_error(StatusCode::kUnsupported, node.describe(), ": ", role, " '", graph.value(id).name, "' is ",
                    dtype_name(type), "; the reference backend supports ", names);
}

StatusOr<Tensor> constant_input(const Graph& graph, const Node& node, size_t i, const char* role) {
  if (!has_input(node, i))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", role, " (input ", i, ") is absent");
  const Value& v = graph.value(node.inputs[i]);
  if (!v.constant)
    return make_error(StatusCode::kUnsupported, node.describe(), ": ", role, " '", v.name,
                      "' must be a constant; constant-fold the model first");
  return *v.constant;
}

StatusOr<int64_t> normalized_axis(const Node& node, int64_t axis, int64_t rank) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": axis ", axis, " out of range for rank ",
                      rank);
  return a;
}

StatusOr<QuantParams> operand_quant(const Graph& graph, const Node& node, ValueId id, const char* role) {
  const Value& v = graph.value(id);
  if (!v.quant || v.quant->scales.empty())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", role, " '", v.name,
                      "' is quantized but carries no quant params (Value::quant)");
  if (v.quant->zero_points.size() != v.quant->scales.size())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", role, " '", v.name, "' has ",
                      v.quant->scales.size(), " scales but ", v.quant->zero_points.size(), " zero points");
  return *v.quant;
}

StatusOr<QuantParams> quant_attributes(const Node& node, const Shape& input_shape) {
  QuantParams q;
  q.scales = node.attr_floats("scale");
  q.zero_points = node.attr_ints("zero_point", std::vector<int64_t>(q.scales.size(), 0));
  q.axis = node.attr_int("axis", 1);
  if (q.scales.empty())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": attribute 'scale' is missing");
  if (q.zero_points.size() != q.scales.size())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": 'scale' has ", q.scales.size(),
                      " elements but 'zero_point' has ", q.zero_points.size());
  for (float s : q.scales)
    if (!(s > 0) || !std::isfinite(s))
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": scale ", s,
                        " is not a positive finite number");
  if (q.per_axis()) {
    int64_t rank = static_cast<int64_t>(input_shape.size());
    QATRT_ASSIGN_OR_RETURN(q.axis, normalized_axis(node, q.axis, rank));
    if (input_shape[q.axis] != static_cast<int64_t>(q.scales.size()))
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", q.scales.size(),
                        " per-axis scales but the input ", shape_to_string(input_shape), " has ",
                        input_shape[q.axis], " along axis ", q.axis);
  }
  return q;
}

std::vector<int64_t> row_major_strides(const Shape& shape) {
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;) strides[i - 1] = strides[i] * shape[i];
  return strides;
}

BroadcastIndex::BroadcastIndex(const Shape& in, const Shape& out) : out_(out), in_strides_(out.size(), 0) {
  identity_ = in == out;
  std::vector<int64_t> strides = row_major_strides(in);
  size_t lead = out.size() - in.size();
  for (size_t i = 0; i < in.size(); ++i) in_strides_[lead + i] = in[i] == 1 ? 0 : strides[i];
}

int64_t BroadcastIndex::operator()(int64_t flat) const {
  if (identity_) return flat;
  int64_t index = 0;
  for (size_t d = out_.size(); d-- > 0;) {
    index += (flat % out_[d]) * in_strides_[d];
    flat /= out_[d];
  }
  return index;
}

AxisCoordinate axis_coordinate(const Shape& logical_shape, Layout layout, int64_t axis) {
  // Physical order of the logical axes: NCHW as is, NHWC = (0, 2, 3, 1).
  std::vector<int64_t> order(logical_shape.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
  if (layout == Layout::kNhwc && logical_shape.size() == 4) order = {0, 2, 3, 1};
  AxisCoordinate c;
  c.extent = logical_shape[axis];
  bool after = false;
  for (int64_t a : order) {
    if (after) c.inner *= logical_shape[a];
    if (a == axis) after = true;
  }
  return c;
}

}  // namespace qatrt::reference
