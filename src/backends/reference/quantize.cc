// QuantizeLinear, DequantizeLinear (ONNX opset 13, with scale / zero point as attributes — see ops.h) and
// Requantize (ops.h), using the exact arithmetic of core/quant.h:
//   Q:  q = saturate(roundTiesToEven(x / s[c]) + z[c])      DQ:  x = (q − z[c]) · s[c]
//   Requantize: out = Q_out(DQ_in(x)), both per-tensor (input's and output's Value::quant).
// c is the element's coordinate along `axis` for per-axis parameters. These kernels are layout-oblivious
// (LayoutPolicy::kAny), so c is computed from the buffer's physical layout.
// With exact rounding (attr "exact_rounding", ops.h) Q and Requantize compute x / s[c] and (q − z_in)·s_in / s_out
// in double (quantize_value_exact).
#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"
#include "ir/exact_rounding.h"

namespace qatrt::reference {
namespace {

template <typename Q>
void quantize(const QuantParams& q, DType type, bool exact, const TensorView& x, const TensorView& y) {
  const AxisCoordinate channel = q.per_axis() ? axis_coordinate(x.shape, x.layout, q.axis) : AxisCoordinate{};
  const float* in = x.as<const float>();
  Q* out = y.as<Q>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t c = channel(i);
    out[i] = static_cast<Q>(exact ? quantize_value_exact(in[i], q.scales[c], q.zero_points[c], type)
                                  : quantize_value(in[i], q.scales[c], q.zero_points[c], type));
  }
}

template <typename Q>
void dequantize(const QuantParams& q, const TensorView& x, const TensorView& y) {
  const AxisCoordinate channel = q.per_axis() ? axis_coordinate(x.shape, x.layout, q.axis) : AxisCoordinate{};
  const Q* in = x.as<const Q>();
  float* out = y.as<float>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t c = channel(i);
    out[i] = dequantize_value(static_cast<int32_t>(in[i]), q.scales[c], q.zero_points[c]);
  }
}

// Q_out(DQ_in(q)), in float or (exact) in double.
int32_t requantize_value(int32_t q, const QuantParams& in_q, const QuantParams& out_q, DType out_type, bool exact) {
  if (exact)
    return quantize_value_exact(dequantize_value_exact(q, in_q.scales[0], in_q.zero_points[0]), out_q.scales[0],
                                out_q.zero_points[0], out_type);
  float real = dequantize_value(q, in_q.scales[0], in_q.zero_points[0]);
  return quantize_value(real, out_q.scales[0], out_q.zero_points[0], out_type);
}

template <typename In, typename Out>
void requantize(const QuantParams& in_q, const QuantParams& out_q, DType out_type, bool exact, const TensorView& x,
                const TensorView& y) {
  const In* in = x.as<const In>();
  Out* out = y.as<Out>();
  for (int64_t i = 0; i < x.numel(); ++i)
    out[i] = static_cast<Out>(requantize_value(static_cast<int32_t>(in[i]), in_q, out_q, out_type, exact));
}

template <typename In>
void requantize_to(const QuantParams& in_q, const QuantParams& out_q, DType out_type, bool exact,
                   const TensorView& x, const TensorView& y) {
  if (out_type == DType::kInt8)
    requantize<In, int8_t>(in_q, out_q, out_type, exact, x, y);
  else
    requantize<In, uint8_t>(in_q, out_q, out_type, exact, x, y);
}

KernelOr make_quantize_linear(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32}));
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.outputs[0], "output", {DType::kInt8, DType::kUInt8}));
  QATRT_ASSIGN_OR_RETURN(QuantParams q, quant_attributes(node, graph.value(node.inputs[0]).shape));
  const DType type = graph.value(node.outputs[0]).dtype;
  for (int64_t z : q.zero_points)
    if (z < quant_min(type) || z > quant_max(type))
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": zero point ", z, " is outside ",
                        dtype_name(type));
  const bool exact = exact_rounding(node);
  return make_kernel([q, type, exact](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    if (type == DType::kInt8)
      quantize<int8_t>(q, type, exact, in[0], out[0]);
    else
      quantize<uint8_t>(q, type, exact, in[0], out[0]);
    return {};
  });
}

KernelOr make_dequantize_linear(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(
      check_dtype(graph, node, node.inputs[0], "input", {DType::kInt8, DType::kUInt8, DType::kInt32}));
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.outputs[0], "output", {DType::kFloat32}));
  QATRT_ASSIGN_OR_RETURN(QuantParams q, quant_attributes(node, graph.value(node.inputs[0]).shape));
  const DType type = graph.value(node.inputs[0]).dtype;
  if (type == DType::kInt32 && !q.symmetric())
    return make_error(StatusCode::kInvalidArgument, node.describe(),
                      ": an int32 input needs zero_point 0 (ONNX DequantizeLinear)");
  return make_kernel([q, type](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    switch (type) {
      case DType::kInt8: dequantize<int8_t>(q, in[0], out[0]); break;
      case DType::kUInt8: dequantize<uint8_t>(q, in[0], out[0]); break;
      default: dequantize<int32_t>(q, in[0], out[0]); break;
    }
    return {};
  });
}

KernelOr make_requantize(const Graph& graph, const Node& node) {
  const ValueId x = node.inputs[0], y = node.outputs[0];
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, x, "input", {DType::kInt8, DType::kUInt8}));
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, y, "output", {DType::kInt8, DType::kUInt8}));
  QATRT_ASSIGN_OR_RETURN(QuantParams in_q, operand_quant(graph, node, x, "input"));
  QATRT_ASSIGN_OR_RETURN(QuantParams out_q, operand_quant(graph, node, y, "output"));
  if (in_q.per_axis() || out_q.per_axis())
    return make_error(StatusCode::kUnsupported, node.describe(), ": Requantize is per-tensor, got ",
                      in_q.scales.size(), " input and ", out_q.scales.size(), " output scales");
  const DType in_type = graph.value(x).dtype, out_type = graph.value(y).dtype;
  const bool exact = exact_rounding(node);
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    if (in_type == DType::kInt8)
      requantize_to<int8_t>(in_q, out_q, out_type, exact, in[0], out[0]);
    else
      requantize_to<uint8_t>(in_q, out_q, out_type, exact, in[0], out[0]);
    return {};
  });
}

}  // namespace

KernelOr make_quantize_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, 1, 1));
  if (graph.value(node.inputs[0]).shape != graph.value(node.outputs[0]).shape)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": output ",
                      shape_to_string(graph.value(node.outputs[0]).shape), " differs from input ",
                      shape_to_string(graph.value(node.inputs[0]).shape));
  switch (node.op) {
    case Op::kQuantizeLinear: return make_quantize_linear(graph, node);
    case Op::kDequantizeLinear: return make_dequantize_linear(graph, node);
    default: return make_requantize(graph, node);
  }
}

}  // namespace qatrt::reference
