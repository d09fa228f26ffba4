// fuse_gemm_epilogue: Gemm / MatMul with its quantized operands and epilogue → QGemm (or FusedGemm).
//
// Quantized:
//   0 = DQ a     int8/uint8 activation [M,K], per-tensor, DQ params = a's Value::quant (A must be 2-D:
//                MatMul on higher ranks is left alone; a Flatten before it makes it fusable)
//   1 = DQ w     int8 constant, zero points 0, per-tensor or per-channel along N
//                (Gemm transB=1: w is [N,K], axis 0; Gemm transB=0 and MatMul: w is [K,N], axis 1)
//   2 = C        Gemm only: a constant of N elements ([N], [1,N]) or one, optional
//   3 = Gemm (transA = 0) | MatMul
//   4..6 = Add(·, residual [M,N]) → Relu → Q, as for the conv (epilogue_match.h)
//   ⇒ QGemm(a_q, w_q [N,K], bias [N], residual)
//      y = alpha·A·W + beta·C  =  Σ_k (q_a − z_a)·s_a · q_w[n,k]·(alpha·s_w[n]) + beta·C[n]
//      so: w [K,N] is transposed to [N,K] (the integers move, the quant axis 1 becomes 0), the weight scales
//      absorb alpha (s_w' = alpha·s_w; a negative alpha gives negative scales, exact in DQ's formula), and
//      bias = beta·C. The weight is a private copy whenever it changes.
// Float: Gemm / MatMul with a float constant weight → FusedGemm(a, W' [N,K], bias, residual), W' = alpha·Wᵀ
//   (or alpha·W for transB = 1), bias = beta·C:  y = relu?(a·W'ᵀ + bias + residual).
#include "passes/constant_math.h"
#include "passes/epilogue_match.h"
#include "passes/exact_epilogue.h"
#include "passes/fusion_checks.h"
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

bool is_gemm_like(Op op) { return op == Op::kGemm || op == Op::kMatMul; }

float alpha_of(const Node& gemm) { return gemm.op == Op::kGemm ? gemm.attr_float("alpha", 1.0f) : 1.0f; }

int64_t n_of(const Graph& graph, const Node& gemm) {
  return graph.value(gemm.inputs[1]).shape[static_cast<size_t>(gemm_weight_n_axis(gemm))];
}

ValueId bias_operand(Graph& graph, const GraphIndex& index, const Node& gemm) {
  if (gemm.op != Op::kGemm || gemm.inputs.size() < 3 || gemm.inputs[2] == kNoValue) return kNoValue;
  double beta = gemm.attr_float("beta", 1.0f);
  int64_t n = n_of(graph, gemm);
  const Value& c = graph.value(gemm.inputs[2]);
  if (beta == 1.0 && c.constant && c.dtype == DType::kFloat32 && c.shape == Shape{n}) return gemm.inputs[2];
  return graph.add_constant(graph.unique_name(gemm.name + "_bias"), *bias_vector(graph, index, gemm.inputs[2], n, beta));
}

// The int8 weight as QGemm wants it: [N,K], scales times alpha. Reuses the value when nothing changes.
ValueId quantized_weight(Graph& graph, const Node& gemm, const Node& dq_w) {
  const ValueId original = dq_w.inputs[0];
  const bool transpose = gemm_weight_n_axis(gemm) == 1;
  const float alpha = alpha_of(gemm);
  if (!transpose && alpha == 1.0f) return original;
  Value copy = graph.value(original);
  QuantParams params = qdq_params(dq_w);  // equal to the weight's Value::quant (why_weight_not_int8)
  if (transpose) {
    copy.constant = transpose_tensor(*copy.constant, {1, 0});
    copy.shape = copy.constant->shape();
    if (params.per_axis()) params.axis = 0;
  }
  for (float& s : params.scales) s *= alpha;
  copy.quant = params;
  copy.name = graph.unique_name(copy.name + "_nk");
  return graph.add_value(std::move(copy));
}

ValueId float_weight(Graph& graph, const Node& gemm) {
  const ValueId original = gemm.inputs[1];
  const bool transpose = gemm_weight_n_axis(gemm) == 1;
  const float alpha = alpha_of(gemm);
  if (!transpose && alpha == 1.0f) return original;
  Tensor w = transpose ? transpose_tensor(*graph.value(original).constant, {1, 0})
                       : graph.value(original).constant->clone();
  for (float& v : w.values<float>()) v *= alpha;
  return graph.add_constant(graph.unique_name(graph.value(original).name + "_nk"), w);
}

// --exact: S[n] = alpha·s_w[n] and B[n] = beta·C[n] in double (quantized_weight and bias_operand round them).
void set_exact_gemm_epilogue(const Graph& graph, const GraphIndex& index, const Node& gemm, const Node& dq_w,
                             Node& fused) {
  const int64_t n = n_of(graph, gemm);
  std::vector<double> scales = exact_weight_scales(gemm, qdq_params(dq_w), n);
  for (double& s : scales) s *= alpha_of(gemm);
  const bool has_c = gemm.op == Op::kGemm && gemm.inputs.size() > 2 && gemm.inputs[2] != kNoValue;
  std::vector<double> bias = exact_bias(graph, index, gemm, has_c ? gemm.inputs[2] : kNoValue, n);
  if (has_c)
    for (double& b : bias) b *= gemm.attr_float("beta", 1.0f);
  set_exact_epilogue(fused, scales, bias);
}

bool fuse_quantized(Graph& graph, const GraphIndex& index, int g, PassContext& context) {
  const Node gemm = graph.nodes[static_cast<size_t>(g)];
  if (!is_gemm_like(gemm.op) || !why_gemm_not_int8(graph, index, gemm).empty()) return false;
  const Node dq_a = *index.producer_if(gemm.inputs[0], Op::kDequantizeLinear);
  const Node dq_w = *index.producer_if(gemm.inputs[1], Op::kDequantizeLinear);
  EpilogueMatch epilogue = match_epilogue(graph, index, g, /*quantized=*/true);

  Node fused{.name = gemm.name, .op = Op::kQGemm};
  fused.inputs = {dq_a.inputs[0], quantized_weight(graph, gemm, dq_w), bias_operand(graph, index, gemm)};
  if (context.exact_rounding) set_exact_gemm_epilogue(graph, index, gemm, dq_w, fused);
  fused.fused_from = {dq_a.name, dq_w.name, gemm.name};
  fused.precision = Precision::kInt8;
  fused.precision_reason = "fused DQ→" + std::string(op_name(gemm.op)) + epilogue.chain +
                           (epilogue.stop.empty() ? "" : "; " + epilogue.stop);
  install_fused_node(graph, g, std::move(fused), epilogue, "fuse_gemm_epilogue", context);
  return true;
}

bool fuse_float(Graph& graph, const GraphIndex& index, int g, PassContext& context) {
  const Node gemm = graph.nodes[static_cast<size_t>(g)];
  if (!is_gemm_like(gemm.op) || graph.value(gemm.inputs[0]).dtype != DType::kFloat32) return false;
  const Value& w = graph.value(gemm.inputs[1]);
  if (!w.constant || w.dtype != DType::kFloat32) return false;
  if (!why_gemm_operands_unsupported(graph, index, gemm).empty()) return false;
  std::string why_float = why_gemm_not_int8(graph, index, gemm);
  EpilogueMatch epilogue = match_epilogue(graph, index, g, /*quantized=*/false);

  Node fused{.name = gemm.name, .op = Op::kFusedGemm};
  fused.inputs = {gemm.inputs[0], float_weight(graph, gemm), bias_operand(graph, index, gemm)};
  fused.fused_from = {gemm.name};
  fused.precision = Precision::kFloat32;
  fused.precision_reason = why_float + "; fused " + std::string(op_name(gemm.op)) + epilogue.chain;
  install_fused_node(graph, g, std::move(fused), epilogue, "fuse_gemm_epilogue", context);
  return true;
}

}  // namespace

Status fuse_gemm_epilogue(Graph& graph, PassContext& context) {
  QATRT_RETURN_IF_ERROR(fuse_until_fixed_point(graph, context, fuse_quantized));
  return fuse_until_fixed_point(graph, context, fuse_float);
}

}  // namespace qatrt
