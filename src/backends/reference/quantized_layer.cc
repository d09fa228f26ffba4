#include "backends/reference/quantized_layer.h"

#include <algorithm>
#include <type_traits>

#include "backends/reference/kernel_util.h"
#include "ir/exact_rounding.h"

namespace qatrt::reference {
namespace {

Status require_per_tensor(const Node& node, const QuantParams& q, const char* role) {
  if (q.per_axis())
    return make_error(StatusCode::kUnsupported, node.describe(), ": ", role, " has ", q.scales.size(),
                      " per-axis scales; QConv/QGemm need a per-tensor ", role);
  return {};
}

// The epilogue in precision T: float (the default: s_x · s_w[k] formed in float per element) or double (exact
// rounding: s_x · S[k] and B[k] precomputed in double).
template <typename T, typename R, typename O>
void epilogue(const QuantizedLayer& layer, const int32_t* acc, int64_t inner, const TensorView* residual,
              const TensorView& out) {
  const int64_t channels = static_cast<int64_t>(layer.w_scales.size());
  const R* r = residual ? residual->as<const R>() : nullptr;
  O* y_out = out.as<O>();
  for (int64_t i = 0; i < out.numel(); ++i) {
    const int64_t k = (i / inner) % channels;
    T y;
    if constexpr (std::is_same_v<T, double>) {
      y = static_cast<double>(acc[i]) * layer.exact_acc_scales[k] + layer.exact_bias[k];
    } else {
      y = static_cast<float>(acc[i]) * (layer.x_scale * layer.w_scales[k]);
      if (!layer.bias.empty()) y += layer.bias[k];
    }
    if constexpr (std::is_same_v<R, float>) {
      if (r) y += r[i];
    } else {
      if (r) y += dequantize_in<T>(r[i], layer.residual_quant.scales[0], layer.residual_quant.zero_points[0]);
    }
    if (layer.relu) y = std::max(y, T(0));
    if constexpr (std::is_same_v<O, float>) {
      y_out[i] = static_cast<float>(y);
    } else {
      y_out[i] = static_cast<O>(
          quantize_in<T>(y, layer.out_quant.scales[0], layer.out_quant.zero_points[0], layer.out_type));
    }
  }
}

template <typename R, typename O>
void epilogue_in_precision(const QuantizedLayer& layer, const int32_t* acc, int64_t inner, const TensorView* residual,
                           const TensorView& out) {
  if (layer.exact)
    epilogue<double, R, O>(layer, acc, inner, residual, out);
  else
    epilogue<float, R, O>(layer, acc, inner, residual, out);
}

template <typename R>
void epilogue_for_output(const QuantizedLayer& layer, const int32_t* acc, int64_t inner, const TensorView* residual,
                         const TensorView& out) {
  switch (layer.out_type) {
    case DType::kInt8: return epilogue_in_precision<R, int8_t>(layer, acc, inner, residual, out);
    case DType::kUInt8: return epilogue_in_precision<R, uint8_t>(layer, acc, inner, residual, out);
    default: return epilogue_in_precision<R, float>(layer, acc, inner, residual, out);
  }
}

}  // namespace

StatusOr<QuantizedLayer> read_quantized_layer(const Graph& graph, const Node& node, int64_t channels) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 2, 4, 1));
  QuantizedLayer layer;
  const ValueId x = node.inputs[0], w = node.inputs[1], y = node.outputs[0];

  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, x, "input", {DType::kInt8, DType::kUInt8}));
  QATRT_ASSIGN_OR_RETURN(QuantParams xq, operand_quant(graph, node, x, "input"));
  QATRT_RETURN_IF_ERROR(require_per_tensor(node, xq, "input"));
  layer.x_type = graph.value(x).dtype;
  layer.x_scale = xq.scales[0];
  layer.x_zero = static_cast<int32_t>(xq.zero_points[0]);

  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, w, "weight", {DType::kInt8}));
  QATRT_ASSIGN_OR_RETURN(layer.weight, constant_input(graph, node, 1, "weight"));
  QATRT_ASSIGN_OR_RETURN(QuantParams wq, operand_quant(graph, node, w, "weight"));
  if (wq.per_axis() && (wq.axis != 0 || static_cast<int64_t>(wq.scales.size()) != channels))
    return make_error(StatusCode::kUnsupported, node.describe(), ": weight '", graph.value(w).name, "' has ",
                      wq.scales.size(), " scales along axis ", wq.axis, "; expected per-tensor or ", channels,
                      " along axis 0");
  for (int64_t k = 0; k < channels; ++k) {
    layer.w_scales.push_back(wq.scale(k));
    layer.w_zero_points.push_back(wq.zero_point(k));
  }

  if (has_input(node, 2)) {
    QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[2], "bias", {DType::kFloat32}));
    QATRT_ASSIGN_OR_RETURN(Tensor bias, constant_input(graph, node, 2, "bias"));
    if (bias.numel() != channels)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": bias ", shape_to_string(bias.shape()),
                        " needs ", channels, " elements");
    layer.bias = bias.to_float_vector();
  }

  if (has_input(node, 3)) {
    const Value& r = graph.value(node.inputs[3]);
    QATRT_RETURN_IF_ERROR(
        check_dtype(graph, node, node.inputs[3], "residual", {DType::kFloat32, DType::kInt8, DType::kUInt8}));
    if (r.shape != graph.value(y).shape)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": residual '", r.name, "' ",
                        shape_to_string(r.shape), " must have the output shape ",
                        shape_to_string(graph.value(y).shape));
    layer.has_residual = true;
    layer.residual_type = r.dtype;
    if (is_quantized_type(r.dtype)) {
      QATRT_ASSIGN_OR_RETURN(layer.residual_quant, operand_quant(graph, node, node.inputs[3], "residual"));
      QATRT_RETURN_IF_ERROR(require_per_tensor(node, layer.residual_quant, "residual"));
    }
  }

  layer.relu = node.attr_int("relu", 0) != 0;
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, y, "output", {DType::kFloat32, DType::kInt8, DType::kUInt8}));
  layer.out_type = graph.value(y).dtype;
  if (is_quantized_type(layer.out_type)) {
    QATRT_ASSIGN_OR_RETURN(layer.out_quant, operand_quant(graph, node, y, "output"));
    QATRT_RETURN_IF_ERROR(require_per_tensor(node, layer.out_quant, "output"));
  }

  layer.exact = exact_rounding(node);
  if (layer.exact) {
    QATRT_ASSIGN_OR_RETURN(ExactChannelFactors factors, exact_channel_factors(graph, node, channels));
    for (double s : factors.weight_scales) layer.exact_acc_scales.push_back(static_cast<double>(layer.x_scale) * s);
    layer.exact_bias = std::move(factors.bias);
  }
  return layer;
}

void apply_quantized_epilogue(const QuantizedLayer& layer, const int32_t* acc, int64_t inner,
                              const TensorView* residual, const TensorView& out) {
  switch (residual ? layer.residual_type : DType::kFloat32) {
    case DType::kInt8: return epilogue_for_output<int8_t>(layer, acc, inner, residual, out);
    case DType::kUInt8: return epilogue_for_output<uint8_t>(layer, acc, inner, residual, out);
    default: return epilogue_for_output<float>(layer, acc, inner, residual, out);
  }
}

}  // namespace qatrt::reference
