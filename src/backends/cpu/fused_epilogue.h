// The epilogue of qatrt's fused ops (FusedConv, QConv, FusedGemm, QGemm; contracts in src/ir/ops.h) expressed
// with oneDNN 2.x attributes. oneDNN computes
//     dst = post_ops( output_scale[k] · (acc[k] + bias'[k]) )        (bias is added before the output scale)
// and qatrt wants
//     y = relu?( acc·s_x·s_w[k] + bias[k] + residual ),   out = saturate(rint(y / s_out) + z_out)  or  y.
// The value is carried in units of u until the last post-op:
//     u = s_r for a quantized residual (so the raw residual integers can be added), 1 for a float residual,
//         else s_out for a quantized output, else 1;
//     output_scale[k] = s_x·s_w[k] / u
//     bias'[k]        = (bias[k] − z_r·s_r) / (s_x·s_w[k])      (folds the residual's zero point into the bias)
//     post-ops        = [binary_add(residual as stored)] [relu] [linear: alpha = u / s_out (or u), beta = z_out]
// relu commutes with the positive factor u, and the final rounding is oneDNN's round-to-nearest-even.
// The float ops use the same post-ops with no output scale and bias' = bias.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::cpu {

// The operands of a fused op by role; absent optional operands are kNoValue.
struct FusedOperands {
  ValueId x = kNoValue, w = kNoValue, bias = kNoValue, residual = kNoValue, y = kNoValue;
};
FusedOperands fused_operands(const Node& node);

// Checks dtypes, constness and quantization parameters of a fused op's operands against what the oneDNN
// mapping above computes exactly. `channels` is the number of output channels (K for conv, N for gemm).
Status check_fused_operands(const Graph& graph, const Node& node, int64_t channels);

struct EpiloguePlan {
  std::vector<float> output_scales;  // one per output channel; empty for the float ops
  std::vector<float> bias;           // bias'; empty when the op needs no bias
  bool has_residual = false;
  bool relu = false;
  float alpha = 1.f, beta = 0.f;     // final eltwise_linear, appended unless (1, 0)
  int32_t src_zero_point = 0;        // z_x, applied through oneDNN's runtime source zero point when non-zero
};

// Assumes check_fused_operands passed.
EpiloguePlan plan_epilogue(const Graph& graph, const Node& node, int64_t channels);

// The residual as the runtime stores it in `activation_layout` (an empty descriptor when the op has none): the
// binary post-op's operand and the memory the kernel binds the residual buffer to.
dnnl::memory::desc residual_desc(const Graph& graph, const Node& node, Layout activation_layout);

// channel_mask: the output_scales mask selecting the channel dimension of dst (1 << 1 for NCHW conv and [M,N]).
dnnl::primitive_attr epilogue_attr(const EpiloguePlan& plan, const dnnl::memory::desc& residual_desc, int channel_mask);

// Execution argument of the residual tensor (the binary post-op is always the first post-op).
constexpr int kResidualArg = DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1;

}  // namespace qatrt::cpu
