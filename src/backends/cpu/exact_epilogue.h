// QConv / QGemm built with exact rounding (src/ir/ops.h, "Exact rounding") on the CPU backend. oneDNN computes
// only the exact int32 accumulators (s32 destination, the source zero point applied, no output scales, no
// post-ops) into a per-thread scratch buffer; this file's loop finishes in double, channel innermost (NHWC conv
// output, [M, N] gemm output, like the residual and the output buffers):
//     y = relu?( acc·(s_x·S[k]) + B[k] + residual ),  out = saturate(roundTiesToEven(y / s_out) + z_out)  or  (float)y
// with S[k], B[k] from ir/exact_rounding.h and a quantized residual dequantized in double. Exactness relies on
// each step being one double operation: the build targets baseline x86-64 (no FMA), so nothing is contracted.
#pragma once

#include <memory>
#include <vector>

#include "backends/backend.h"
#include "backends/cpu/fused_epilogue.h"

namespace qatrt::cpu {

// QConv / QGemm with attr "exact_rounding" set (the float fused ops round nothing to integers).
bool uses_exact_epilogue(const Node& node);

// What the oneDNN primitive of an exact node computes: accumulators only, with the source zero point.
// Assumes check_fused_operands passed.
EpiloguePlan accumulator_plan(const Graph& graph, const Node& node);

// Wraps `accumulate` (a FusedKernel built from accumulator_plan with an s32 destination) into the node's kernel:
// accumulators into the per-thread scratch buffer, then the double epilogue into the output. Assumes
// check_fused_operands passed (it checks the exact attributes too).
StatusOr<std::unique_ptr<Kernel>> with_exact_epilogue(std::unique_ptr<Kernel> accumulate, const Graph& graph,
                                                      const Node& node, int64_t channels, Layout activation_layout);

}  // namespace qatrt::cpu
