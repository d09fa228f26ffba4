#include "passes/fusion_checks.h"

#include "passes/constant_math.h"
#include "passes/qdq_attrs.h"

namespace qatrt {

std::string why_weight_not_int8(const Graph& graph, const GraphIndex& index, ValueId weight, int64_t channel_axis) {
  if (graph.is_constant(weight)) return "weight not quantized (float constant, no DQ)";
  const Node* dq = weight_dq(graph, index, weight);
  if (!dq) return "weight is not a dequantized int8 constant";
  const Value& q = graph.value(dq->inputs[0]);
  if (q.dtype != DType::kInt8) return "weight is " + std::string(dtype_name(q.dtype)) + "; int8 kernels need int8 weights";
  QuantParams params = qdq_params(*dq);
  if (!q.quant || !(*q.quant == params)) return "weight DQ parameters differ from the quantization of '" + q.name + "'";
  if (params.per_axis() && params.axis != channel_axis)
    return "weight not per-channel-quantized along the output channels (axis " + std::to_string(params.axis) +
           ", expected " + std::to_string(channel_axis) + ")";
  if (!params.symmetric()) return "weight zero point ≠ 0";
  return "";
}

std::optional<Tensor> bias_vector(const Graph& graph, const GraphIndex& index, ValueId bias, int64_t channels,
                                  double scale) {
  if (bias == kNoValue) return std::nullopt;
  std::optional<Tensor> values;
  if (graph.is_constant(bias) && graph.value(bias).dtype == DType::kFloat32) {
    values = *graph.value(bias).constant;
  } else if (const Node* dq = index.producer_if(bias, Op::kDequantizeLinear); dq && graph.is_constant(dq->inputs[0])) {
    values = dequantize_tensor(*graph.value(dq->inputs[0]).constant, qdq_params(*dq));
  }
  if (!values || (values->numel() != channels && values->numel() != 1)) return std::nullopt;
  Tensor result(DType::kFloat32, {channels});
  for (int64_t k = 0; k < channels; ++k)
    result.data<float>()[k] = static_cast<float>(scale * values->as_double(values->numel() == 1 ? 0 : k));
  return result;
}

std::string why_conv_not_int8(const Graph& graph, const GraphIndex& index, const Node& conv) {
  if (std::string why = describe_activation_dq(graph, index, conv.inputs[0]); !why.empty()) return why;
  if (std::string why = why_weight_not_int8(graph, index, conv.inputs[1], 0); !why.empty()) return why;
  if (conv.inputs.size() > 2 && conv.inputs[2] != kNoValue) {
    int64_t channels = graph.value(conv.inputs[1]).shape[0];
    if (!bias_vector(graph, index, conv.inputs[2], channels, 1.0)) return "bias is not a constant of one value per channel";
  }
  return "";
}

int64_t gemm_weight_n_axis(const Node& gemm) {
  return gemm.op == Op::kGemm && gemm.attr_int("transB", 0) != 0 ? 0 : 1;
}

std::string why_gemm_operands_unsupported(const Graph& graph, const GraphIndex& index, const Node& gemm) {
  if (gemm.op == Op::kGemm && gemm.attr_int("transA", 0) != 0) return "Gemm with transA = 1 is not fused";
  if (graph.value(gemm.inputs[0]).shape.size() != 2) return "A is not 2-D (a Flatten before it would allow fusion)";
  const Shape& w = graph.value(gemm.inputs[1]).shape;
  if (w.size() != 2) return "weight is not 2-D";
  if (gemm.op == Op::kGemm && gemm.inputs.size() > 2 && gemm.inputs[2] != kNoValue) {
    const Shape& c = graph.value(gemm.inputs[2]).shape;
    bool per_column = c.size() <= 1 || (c.size() == 2 && c[0] == 1);
    int64_t n = w[static_cast<size_t>(gemm_weight_n_axis(gemm))];
    if (!per_column || !bias_vector(graph, index, gemm.inputs[2], n, 1.0))
      return "C is not a constant of one value per output column";
  }
  return "";
}

std::string why_gemm_not_int8(const Graph& graph, const GraphIndex& index, const Node& gemm) {
  if (std::string why = why_gemm_operands_unsupported(graph, index, gemm); !why.empty()) return why;
  if (std::string why = describe_activation_dq(graph, index, gemm.inputs[0]); !why.empty()) return why;
  return why_weight_not_int8(graph, index, gemm.inputs[1], gemm_weight_n_axis(gemm));
}

}  // namespace qatrt
