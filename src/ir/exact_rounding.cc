#include "ir/exact_rounding.h"

namespace qatrt {
namespace {

// The float64 tensor attribute `key` as a vector of `channels` values; an empty vector when it is absent.
StatusOr<std::vector<double>> channel_attr(const Node& node, const char* key, int64_t channels) {
  if (!node.has_attr(key)) return std::vector<double>{};
  const Tensor* t = node.attr_tensor(key);
  if (!t || t->dtype() != DType::kFloat64 || t->numel() != channels)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": attribute '", key, "' must be a float64 ",
                      "tensor of ", channels, " values (one per output channel), got ",
                      t ? std::string(dtype_name(t->dtype())) + " " + shape_to_string(t->shape()) : "a non-tensor",
                      "; rebuild the plan with `qatrt build --exact`");
  const double* values = t->data<double>();
  return std::vector<double>(values, values + channels);
}

}  // namespace

bool exact_rounding(const Node& node) { return node.attr_int(kExactRoundingAttr, 0) != 0; }

StatusOr<ExactChannelFactors> exact_channel_factors(const Graph& graph, const Node& node, int64_t channels) {
  ExactChannelFactors factors;
  QATRT_ASSIGN_OR_RETURN(factors.weight_scales, channel_attr(node, kExactWeightScalesAttr, channels));
  QATRT_ASSIGN_OR_RETURN(factors.bias, channel_attr(node, kExactBiasAttr, channels));
  if (factors.weight_scales.empty()) {
    const Value& w = graph.value(node.inputs.at(1));
    if (!w.quant)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": weight '", w.name,
                        "' has no quantization parameters");
    for (int64_t k = 0; k < channels; ++k) factors.weight_scales.push_back(w.quant->scale(k));
  }
  if (factors.bias.empty()) {
    const bool has_bias = node.inputs.size() > 2 && graph.is_constant(node.inputs[2]);
    if (has_bias) {
      const Tensor& b = *graph.value(node.inputs[2]).constant;
      for (int64_t k = 0; k < channels; ++k) factors.bias.push_back(b.as_double(k));
    } else {
      factors.bias.assign(static_cast<size_t>(channels), 0.0);
    }
  }
  return factors;
}

}  // namespace qatrt
