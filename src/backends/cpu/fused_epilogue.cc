#include "backends/cpu/fused_epilogue.h"

#include <cmath>

#include "backends/cpu/dnnl_util.h"
#include "ir/exact_rounding.h"

namespace qatrt::cpu {
namespace {

ValueId input_or_none(const Node& node, size_t index) {
  return index < node.inputs.size() ? node.inputs[index] : kNoValue;
}

Status unsupported(const Node& node, const std::string& message) {
  return make_error(StatusCode::kUnsupported, node.describe(), ": ", message);
}

std::string describe_value(const Value& value, const char* role) {
  return std::string(role) + " '" + value.name + "' (" + std::string(dtype_name(value.dtype)) + " " +
         shape_to_string(value.shape) + ")";
}

bool usable_scale(float scale) { return std::isfinite(scale) && scale > 0.f; }

// A per-tensor quantized activation (x, residual, y).
Status check_activation_quant(const Graph& graph, const Node& node, ValueId id, const char* role) {
  const Value& value = graph.value(id);
  if (!value.quant)
    return unsupported(node, describe_value(value, role) + " has no quantization parameters; the pass that made "
                                                           "this node must set Value::quant");
  const QuantParams& q = *value.quant;
  if (q.scales.size() != 1 || q.zero_points.size() != 1)
    return unsupported(node, describe_value(value, role) + " is quantized per-axis (" +
                                 std::to_string(q.scales.size()) + " scales); the CPU backend needs per-tensor");
  if (!usable_scale(q.scales[0]))
    return unsupported(node, describe_value(value, role) + " has scale " + std::to_string(q.scales[0]) +
                                 "; scales must be positive and finite");
  if (q.zero_points[0] < quant_min(value.dtype) || q.zero_points[0] > quant_max(value.dtype))
    return unsupported(node, describe_value(value, role) + " has zero point " + std::to_string(q.zero_points[0]) +
                                 " outside its type's range");
  return {};
}

Status check_weight_quant(const Graph& graph, const Node& node, ValueId id, int64_t channels) {
  const Value& w = graph.value(id);
  if (w.dtype != DType::kInt8)
    return unsupported(node, describe_value(w, "weight") + " must be int8 (oneDNN has u8×s8 and s8×s8 only)");
  if (!w.quant) return unsupported(node, describe_value(w, "weight") + " has no quantization parameters");
  const QuantParams& q = *w.quant;
  if (q.per_axis() && (q.axis != 0 || static_cast<int64_t>(q.scales.size()) != channels))
    return unsupported(node, describe_value(w, "weight") + " is quantized along axis " + std::to_string(q.axis) +
                                 " with " + std::to_string(q.scales.size()) + " scales; expected per-tensor or " +
                                 std::to_string(channels) + " scales along axis 0 (output channels)");
  for (size_t i = 0; i < q.scales.size(); ++i) {
    if (!usable_scale(q.scales[i]))
      return unsupported(node, describe_value(w, "weight") + " has scale[" + std::to_string(i) +
                                   "] = " + std::to_string(q.scales[i]) + "; scales must be positive and finite");
    if (q.zero_points[i] != 0)
      return unsupported(node, describe_value(w, "weight") + " has zero point[" + std::to_string(i) +
                                   "] = " + std::to_string(q.zero_points[i]) +
                                   "; the CPU backend needs symmetric weights (zero point 0), re-export the model "
                                   "with symmetric weight quantization");
  }
  return {};
}

}  // namespace

FusedOperands fused_operands(const Node& node) {
  return {input_or_none(node, 0), input_or_none(node, 1), input_or_none(node, 2), input_or_none(node, 3),
          node.outputs.empty() ? kNoValue : node.outputs[0]};
}

Status check_fused_operands(const Graph& graph, const Node& node, int64_t channels) {
  FusedOperands ops = fused_operands(node);
  if (ops.x == kNoValue || ops.w == kNoValue || ops.y == kNoValue || node.outputs.size() != 1 ||
      node.inputs.size() > 4)
    return unsupported(node, "expected inputs (x, w, [bias], [residual]) and one output");
  if (!graph.is_constant(ops.w)) return unsupported(node, "weight must be a constant");
  const bool quantized = node.op == Op::kQConv || node.op == Op::kQGemm;
  const Value& x = graph.value(ops.x);
  const Value& y = graph.value(ops.y);

  if (ops.bias != kNoValue) {
    const Value& b = graph.value(ops.bias);
    if (!graph.is_constant(ops.bias) || b.dtype != DType::kFloat32 || shape_numel(b.shape) != channels)
      return unsupported(node, describe_value(b, "bias") + " must be a float32 constant with " +
                                   std::to_string(channels) + " elements");
  }
  if (ops.residual != kNoValue) {
    const Value& r = graph.value(ops.residual);
    if (r.shape != y.shape)
      return unsupported(node, describe_value(r, "residual") + " must have the output's shape " +
                                   shape_to_string(y.shape) + " (no broadcasting)");
    if (quantized && is_quantized_type(r.dtype)) {
      QATRT_RETURN_IF_ERROR(check_activation_quant(graph, node, ops.residual, "residual"));
    } else if (r.dtype != DType::kFloat32) {
      return unsupported(node, describe_value(r, "residual") + " must be float32" +
                                   (quantized ? " or quantized int8/uint8" : ""));
    }
  }

  if (!quantized) {
    if (x.dtype != DType::kFloat32 || graph.value(ops.w).dtype != DType::kFloat32 || y.dtype != DType::kFloat32)
      return unsupported(node, "input, weight and output must be float32, got " + std::string(dtype_name(x.dtype)) +
                                   ", " + std::string(dtype_name(graph.value(ops.w).dtype)) + ", " +
                                   std::string(dtype_name(y.dtype)));
    return {};
  }

  if (!cpu_has_exact_int8_dot())
    return unsupported(node, "this CPU lacks VNNI, so oneDNN's int8 kernels would not accumulate exactly; the "
                             "reference backend runs it instead");
  if (!is_quantized_type(x.dtype)) return unsupported(node, describe_value(x, "input") + " must be int8 or uint8");
  QATRT_RETURN_IF_ERROR(check_activation_quant(graph, node, ops.x, "input"));
  QATRT_RETURN_IF_ERROR(check_weight_quant(graph, node, ops.w, channels));
  if (is_quantized_type(y.dtype)) {
    QATRT_RETURN_IF_ERROR(check_activation_quant(graph, node, ops.y, "output"));
  } else if (y.dtype != DType::kFloat32) {
    return unsupported(node, describe_value(y, "output") + " must be int8, uint8 or float32");
  }
  if (exact_rounding(node)) return exact_channel_factors(graph, node, channels).status();
  return {};
}

EpiloguePlan plan_epilogue(const Graph& graph, const Node& node, int64_t channels) {
  FusedOperands ops = fused_operands(node);
  EpiloguePlan plan;
  plan.relu = node.attr_int("relu", 0) != 0;
  plan.has_residual = ops.residual != kNoValue;
  const bool quantized = node.op == Op::kQConv || node.op == Op::kQGemm;

  std::vector<float> bias(static_cast<size_t>(channels), 0.f);
  if (ops.bias != kNoValue) bias = graph.value(ops.bias).constant->to_float_vector();

  if (!quantized) {
    if (ops.bias != kNoValue) plan.bias = bias;
    return plan;
  }

  const Value& x = graph.value(ops.x);
  const Value& y = graph.value(ops.y);
  const QuantParams& wq = *graph.value(ops.w).quant;
  const bool residual_quantized = plan.has_residual && is_quantized_type(graph.value(ops.residual).dtype);
  const bool output_quantized = is_quantized_type(y.dtype);
  const double s_x = x.quant->scales[0];
  plan.src_zero_point = static_cast<int32_t>(x.quant->zero_points[0]);

  double s_r = 0, z_r = 0;
  if (residual_quantized) {
    s_r = graph.value(ops.residual).quant->scales[0];
    z_r = static_cast<double>(graph.value(ops.residual).quant->zero_points[0]);
  }
  const double s_out = output_quantized ? y.quant->scales[0] : 1.0;
  const double z_out = output_quantized ? static_cast<double>(y.quant->zero_points[0]) : 0.0;
  // A float residual is added in real units, a quantized one in its own units (see the header).
  const double unit = residual_quantized ? s_r : plan.has_residual ? 1.0 : s_out;

  const bool needs_bias = ops.bias != kNoValue || z_r != 0;
  plan.output_scales.resize(static_cast<size_t>(channels));
  if (needs_bias) plan.bias.resize(static_cast<size_t>(channels));
  for (int64_t k = 0; k < channels; ++k) {
    double acc_scale = s_x * static_cast<double>(wq.scale(k));
    plan.output_scales[k] = static_cast<float>(acc_scale / unit);
    if (needs_bias) plan.bias[k] = static_cast<float>((static_cast<double>(bias[k]) - z_r * s_r) / acc_scale);
  }
  plan.alpha = static_cast<float>(unit / s_out);
  plan.beta = static_cast<float>(z_out);
  return plan;
}

dnnl::memory::desc residual_desc(const Graph& graph, const Node& node, Layout activation_layout) {
  FusedOperands ops = fused_operands(node);
  if (ops.residual == kNoValue) return {};
  const Value& r = graph.value(ops.residual);
  return buffer_desc(r.shape, r.dtype, activation_layout);
}

dnnl::primitive_attr epilogue_attr(const EpiloguePlan& plan, const dnnl::memory::desc& residual_desc,
                                   int channel_mask) {
  dnnl::primitive_attr attr;
  if (!plan.output_scales.empty()) attr.set_output_scales(channel_mask, plan.output_scales);
  if (plan.src_zero_point != 0) attr.set_zero_points(DNNL_ARG_SRC, 0, {DNNL_RUNTIME_S32_VAL});
  dnnl::post_ops post_ops;
  if (plan.has_residual) post_ops.append_binary(dnnl::algorithm::binary_add, residual_desc);
  if (plan.relu) post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
  if (plan.alpha != 1.f || plan.beta != 0.f)
    post_ops.append_eltwise(1.f, dnnl::algorithm::eltwise_linear, plan.alpha, plan.beta);
  attr.set_post_ops(post_ops);
  return attr;
}

}  // namespace qatrt::cpu
