#include "passes/exact_epilogue.h"

#include <optional>

#include "passes/constant_math.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

std::vector<double> tensor_values(const Tensor& t) {
  std::vector<double> values(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) values[static_cast<size_t>(i)] = t.as_double(i);
  return values;
}

Tensor float64_tensor(const std::vector<double>& values) {
  Tensor t(DType::kFloat64, {static_cast<int64_t>(values.size())});
  std::copy(values.begin(), values.end(), t.data<double>());
  return t;
}

// The bias operand in double, [channels] (a one-element bias broadcast): a float constant, or DQ of a constant
// dequantized with dequantize_exact — the operands bias_vector (fusion_checks.h) accepts, read the same way.
std::optional<std::vector<double>> exact_bias_values(const Graph& graph, const GraphIndex& index, ValueId bias,
                                                     int64_t channels) {
  std::vector<double> values;
  if (graph.is_constant(bias) && graph.value(bias).dtype == DType::kFloat32) {
    values = tensor_values(*graph.value(bias).constant);
  } else if (const Node* dq = index.producer_if(bias, Op::kDequantizeLinear); dq && graph.is_constant(dq->inputs[0])) {
    values = dequantize_exact(*graph.value(dq->inputs[0]).constant, qdq_params(*dq));
  }
  if (values.size() != static_cast<size_t>(channels) && values.size() != 1) return std::nullopt;
  if (values.size() == 1) values.assign(static_cast<size_t>(channels), values[0]);
  return values;
}

}  // namespace

std::vector<double> exact_weight_scales(const Node& node, const QuantParams& weight, int64_t channels) {
  if (const Tensor* attr = node.attr_tensor(kExactWeightScalesAttr)) return tensor_values(*attr);
  std::vector<double> scales(static_cast<size_t>(channels));
  for (int64_t k = 0; k < channels; ++k) scales[static_cast<size_t>(k)] = weight.scale(k);
  return scales;
}

std::vector<double> exact_bias(const Graph& graph, const GraphIndex& index, const Node& node, ValueId bias,
                               int64_t channels) {
  if (const Tensor* attr = node.attr_tensor(kExactBiasAttr)) return tensor_values(*attr);
  if (bias == kNoValue) return std::vector<double>(static_cast<size_t>(channels), 0.0);
  return exact_bias_values(graph, index, bias, channels).value();
}

void set_exact_epilogue(Node& node, const std::vector<double>& scales, const std::vector<double>& bias) {
  node.attrs[kExactWeightScalesAttr] = float64_tensor(scales);
  node.attrs[kExactBiasAttr] = float64_tensor(bias);
}

}  // namespace qatrt
