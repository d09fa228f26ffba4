// fold_batchnorm: BatchNormalization after a Conv (or a 2-D Gemm/MatMul) folded into its weights and bias.
//
//   x ──► Conv(W, b?) ──► c ──► BatchNormalization(γ, β, μ, σ², ε) ──► y
//   becomes
//   x ──► Conv(W', b') ──► y
//
//   f[k]  = γ[k] / √(σ²[k] + ε)
//   b'[k] = (b[k] − μ[k])·f[k] + β[k]                 (b = 0 when the conv has no bias)
//   float W:           W'[k,…] = W[k,…]·f[k]
//   W = DQ(q; s, z):   W' = DQ(q; s', z), s'[k] = s[k]·f[k]  (the integers stay; per-tensor s is first expanded
//                                                            to one scale per output channel)
// Exact because BN is per-channel affine and the conv is linear in each output channel's weights:
//   (conv(x, W)[k] + b[k] − μ[k])·f[k] + β[k] = conv(x, W·f)[k] + b'[k],  and (q − z)·s·f = (q − z)·(s·f).
// A negative f[k] (γ[k] < 0) would make s'[k] negative. The integers of such a channel are mirrored around
// the zero point instead (q' = 2z − q, so (q' − z)·|s'| = (q − z)·s') and the scale stays positive. Only when
// a channel cannot be mirrored (it holds −128 with z = 0) does s'[k] stay negative: DequantizeLinear's formula
// is still exact with it, QConv/QGemm multiply by it like any scale, and only weight DQs get one (the
// activation rewrites in propagate_qdq require s > 0), but a backend's standalone DQ kernel may refuse it.
// The rescaled weight is a private copy (new constant value and new DQ) so other readers keep the original.
// With PassContext::exact_rounding the node also keeps s'[k] and b'[k] unrounded (passes/exact_epilogue.h).
//
// Gemm (transA = 0) and MatMul (A and W 2-D) → BN over [M, N]: the same fold along the weight's N axis
// (Gemm: transB ? 0 : 1, MatMul: 1), with C' = (beta·C − μ)·f + β_bn and beta = 1 (alpha stays: it scales
// A·W' like A·W). A MatMul becomes Gemm(A, W', C'). C must be absent or a constant of N (or 1) elements.
//
// Requires: the producer's output is read only by the BN; γ, β, μ, σ² are float constants of K elements; the
// bias (or C) is absent, a float constant or DQ of a constant (int32 bias) of K elements or one.
#include <algorithm>
#include <cmath>

#include "passes/constant_math.h"
#include "passes/exact_epilogue.h"
#include "passes/fusion_checks.h"
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

struct Match {
  int bn = -1;
  int producer = -1;
  int64_t channel_axis = 0;  // axis of the weight that holds the BN channel
};

std::optional<std::vector<float>> float_constant(const Graph& graph, ValueId id, int64_t count) {
  if (!graph.is_constant(id)) return std::nullopt;
  const Tensor& t = *graph.value(id).constant;
  if (t.dtype() != DType::kFloat32) return std::nullopt;
  if (t.numel() == count) return t.to_float_vector();
  if (t.numel() == 1) return std::vector<float>(static_cast<size_t>(count), t.data<float>()[0]);
  return std::nullopt;
}

// A weight the fold can rescale along `axis` with `channels` channels: a float constant, or DQ of an
// int8/uint8 constant quantized per-tensor or per-axis along `axis`.
bool rescalable_weight(const Graph& graph, const GraphIndex& index, ValueId weight, int64_t axis, int64_t channels) {
  const Value& w = graph.value(weight);
  if (w.constant) return w.dtype == DType::kFloat32;
  const Node* dq = weight_dq(graph, index, weight);
  if (!dq) return false;
  QuantParams params = qdq_params(*dq);
  return !params.per_axis() || (params.axis == axis && static_cast<int64_t>(params.scales.size()) == channels);
}

bool bn_parameters_constant(const Graph& graph, const Node& bn, int64_t channels) {
  for (size_t i = 1; i < 5; ++i)
    if (!float_constant(graph, bn.inputs[i], channels) || graph.value(bn.inputs[i]).constant->numel() != channels)
      return false;
  return true;
}

std::optional<Match> match(const Graph& graph, const GraphIndex& index, int bn_index) {
  const Node& bn = graph.nodes[static_cast<size_t>(bn_index)];
  if (bn.op != Op::kBatchNormalization || bn.attr_int("training_mode", 0) != 0) return std::nullopt;
  int p = index.producer(bn.inputs[0]);
  if (p < 0 || !index.used_only_by(bn.inputs[0], bn_index)) return std::nullopt;
  const Node& producer = graph.nodes[static_cast<size_t>(p)];
  Match m{.bn = bn_index, .producer = p};
  const Shape& weight_shape = graph.value(producer.inputs[1]).shape;
  if (producer.op == Op::kConv) {
    m.channel_axis = 0;
  } else if (producer.op == Op::kGemm) {
    if (producer.attr_int("transA", 0) != 0) return std::nullopt;
    m.channel_axis = producer.attr_int("transB", 0) ? 0 : 1;
  } else if (producer.op == Op::kMatMul) {
    if (graph.value(producer.inputs[0]).shape.size() != 2) return std::nullopt;
    m.channel_axis = 1;
  } else {
    return std::nullopt;
  }
  if (weight_shape.size() <= static_cast<size_t>(m.channel_axis)) return std::nullopt;
  if (producer.op != Op::kConv && weight_shape.size() != 2) return std::nullopt;
  int64_t channels = weight_shape[static_cast<size_t>(m.channel_axis)];
  if (channels <= 0 || !bn_parameters_constant(graph, bn, channels)) return std::nullopt;
  if (!rescalable_weight(graph, index, producer.inputs[1], m.channel_axis, channels)) return std::nullopt;
  bool has_bias = producer.inputs.size() > 2 && producer.inputs[2] != kNoValue;
  if (has_bias) {
    // A Gemm C of shape [N,1] broadcasts along rows, not channels: only [N], [1,N] or a scalar fold.
    const Shape& c = graph.value(producer.inputs[2]).shape;
    bool per_channel = c.size() <= 1 || (c.size() == 2 && c[0] == 1);
    if (!per_channel || !bias_vector(graph, index, producer.inputs[2], channels, 1.0)) return std::nullopt;
  }
  return m;
}

// For each channel k with factor[k] < 0 whose integers can be mirrored around the zero point (2z − q in range
// for every q of the channel): mirror them and flip factor[k]'s sign, since (q − z)·s·f = ((2z − q) − z)·s·(−f).
// The folded scale then stays positive, which every backend accepts. A channel that cannot be mirrored (an
// int8 −128 with z = 0) keeps its negative factor: exact for DequantizeLinear's formula, see the top of file.
template <typename Q>
Tensor reflect_negative_channels(const Tensor& q, const QuantParams& params, std::vector<double>& factor) {
  const Q* data = q.data<Q>();
  std::vector<bool> mirror(factor.size());
  for (size_t k = 0; k < factor.size(); ++k) mirror[k] = factor[k] < 0;
  for_each_channel_run(q.shape(), params, [&](int64_t c, int64_t begin, int64_t end) {
    const auto k = static_cast<size_t>(c);
    const int64_t twice_z = 2 * params.zero_point(c);
    for (int64_t i = begin; i < end && mirror[k]; ++i) {
      int64_t mirrored = twice_z - data[i];
      if (mirrored < quant_min(q.dtype()) || mirrored > quant_max(q.dtype())) mirror[k] = false;
    }
  });
  if (std::none_of(mirror.begin(), mirror.end(), [](bool m) { return m; })) return q;
  Tensor result = q.clone();
  Q* out = result.data<Q>();
  for_each_channel_run(q.shape(), params, [&](int64_t c, int64_t begin, int64_t end) {
    if (!mirror[static_cast<size_t>(c)]) return;
    const int64_t twice_z = 2 * params.zero_point(c);
    for (int64_t i = begin; i < end; ++i) out[i] = static_cast<Q>(twice_z - data[i]);
  });
  for (size_t k = 0; k < factor.size(); ++k)
    if (mirror[k]) factor[k] = -factor[k];
  return result;
}

// W' = W·f along `axis`, as a new value (a new constant, or a new DQ reading a private copy of the integers).
// `factor` comes back with the sign of every mirrored channel flipped.
ValueId rescale_weight(Graph& graph, const GraphIndex& index, ValueId weight, int64_t axis,
                       std::vector<double>& factor) {
  const int64_t channels = static_cast<int64_t>(factor.size());
  if (graph.value(weight).constant) {
    Tensor scaled = graph.value(weight).constant->clone();
    const Shape& shape = scaled.shape();
    int64_t inner = 1;
    for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
    float* data = scaled.data<float>();
    for (int64_t i = 0; i < scaled.numel(); ++i)
      data[i] = static_cast<float>(data[i] * factor[static_cast<size_t>((i / inner) % channels)]);
    return graph.add_constant(graph.unique_name(graph.value(weight).name + "_bn"), scaled);
  }
  const Node& dq = graph.nodes[static_cast<size_t>(index.producer(weight))];
  QuantParams params = expand_per_channel(qdq_params(dq), channels, axis);
  std::string dq_name = dq.name;
  Value copy = graph.value(dq.inputs[0]);
  copy.constant = copy.dtype == DType::kUInt8 ? reflect_negative_channels<uint8_t>(*copy.constant, params, factor)
                                               : reflect_negative_channels<int8_t>(*copy.constant, params, factor);
  for (size_t k = 0; k < params.scales.size(); ++k)
    params.scales[k] = static_cast<float>(params.scales[k] * factor[k]);
  copy.name = graph.unique_name(copy.name + "_bn");
  copy.quant = params;
  ValueId private_q = graph.add_value(std::move(copy));
  ValueId scaled = add_value_like(graph, weight, graph.value(weight).name + "_bn", DType::kFloat32, std::nullopt);
  graph.add_node(make_dequantize_node(graph.unique_name(dq_name + "_bn"), private_q, scaled, params));
  return scaled;
}

// s'[k] and b'[k] in double, from the node's exact values before the fold. `factor` is the one rescale_weight
// returned (mirrored channels flipped); the bias uses the BN's own factor, unflipped.
void record_exact_fold(const Graph& graph, const GraphIndex& index, Node& target, const Node& producer,
                       const std::vector<double>& weight_factor, const std::vector<double>& bn_factor,
                       const std::vector<float>& mean, const std::vector<float>& beta, int64_t axis) {
  const int64_t channels = static_cast<int64_t>(bn_factor.size());
  const Node& dq = graph.nodes[static_cast<size_t>(index.producer(producer.inputs[1]))];
  std::vector<double> scales = exact_weight_scales(producer, expand_per_channel(qdq_params(dq), channels, axis), channels);
  std::vector<double> bias(static_cast<size_t>(channels), 0.0);
  if (producer.inputs.size() > 2 && producer.inputs[2] != kNoValue) {
    bias = exact_bias(graph, index, producer, producer.inputs[2], channels);
    if (producer.op == Op::kGemm)
      for (double& b : bias) b *= producer.attr_float("beta", 1.0f);
  }
  for (size_t k = 0; k < bn_factor.size(); ++k) {
    scales[k] *= weight_factor[k];
    bias[k] = (bias[k] - mean[k]) * bn_factor[k] + beta[k];
  }
  set_exact_epilogue(target, scales, bias);
}

void rewrite(Graph& graph, const GraphIndex& index, const Match& m, PassContext& context) {
  const Node bn = graph.nodes[static_cast<size_t>(m.bn)];
  const Node producer = graph.nodes[static_cast<size_t>(m.producer)];
  const int64_t channels = graph.value(bn.inputs[1]).constant->numel();
  const double epsilon = bn.attr_float("epsilon", 1e-5f);
  auto gamma = *float_constant(graph, bn.inputs[1], channels);
  auto beta = *float_constant(graph, bn.inputs[2], channels);
  auto mean = *float_constant(graph, bn.inputs[3], channels);
  auto var = *float_constant(graph, bn.inputs[4], channels);

  std::vector<double> factor(static_cast<size_t>(channels));
  for (size_t k = 0; k < factor.size(); ++k) factor[k] = gamma[k] / std::sqrt(static_cast<double>(var[k]) + epsilon);

  // Bias before the BN: the conv bias, or beta·C for a Gemm.
  std::vector<double> bias(static_cast<size_t>(channels), 0.0);
  bool has_bias = producer.inputs.size() > 2 && producer.inputs[2] != kNoValue;
  if (has_bias) {
    double scale = producer.op == Op::kGemm ? producer.attr_float("beta", 1.0f) : 1.0;
    Tensor b = *bias_vector(graph, index, producer.inputs[2], channels, scale);
    for (size_t k = 0; k < bias.size(); ++k) bias[k] = b.data<float>()[k];
  }
  Tensor folded_bias(DType::kFloat32, {channels});
  for (size_t k = 0; k < bias.size(); ++k)
    folded_bias.data<float>()[k] = static_cast<float>((bias[k] - mean[k]) * factor[k] + beta[k]);

  std::vector<double> weight_factor = factor;
  ValueId weight = rescale_weight(graph, index, producer.inputs[1], m.channel_axis, weight_factor);
  ValueId bias_id = graph.add_constant(graph.unique_name(producer.name + "_bn_bias"), folded_bias);

  Node& target = graph.nodes[static_cast<size_t>(m.producer)];
  if (context.exact_rounding && !graph.value(producer.inputs[1]).constant)
    record_exact_fold(graph, index, target, producer, weight_factor, factor, mean, beta, m.channel_axis);
  target.inputs.resize(3);
  target.inputs[1] = weight;
  target.inputs[2] = bias_id;
  target.outputs[0] = bn.outputs[0];
  if (target.op != Op::kConv) {
    if (target.op == Op::kMatMul) target.attrs["transB"] = int64_t{0};
    target.op = Op::kGemm;
    target.attrs["beta"] = 1.0f;
  }
  target.fused_from.push_back(bn.name);
  graph.erase_nodes({m.bn});
  context.log.push_back("fold_batchnorm: " + bn.describe() + " folded into " + producer.describe() + " (" +
                        (graph.value(weight).constant ? "float weights" : "per-channel weight scales") + ", " +
                        std::to_string(channels) + " channels)");
}

}  // namespace

Status fold_batchnorm(Graph& graph, PassContext& context) {
  bool changed = true;
  while (changed) {
    changed = false;
    GraphIndex index(graph);
    for (size_t i = 0; i < graph.nodes.size() && !changed; ++i) {
      auto m = match(graph, index, static_cast<int>(i));
      if (!m) continue;
      rewrite(graph, index, *m, context);
      changed = true;
    }
    // The original weight DQ is dead when the folded conv was its only reader.
    if (changed) graph.remove_dead_nodes();
  }
  return sort_topologically(graph);
}

}  // namespace qatrt
