// What a backend reads from a node built with exact rounding (`qatrt build --exact`; the contract is in
// src/ir/ops.h, "Exact rounding"): whether the node rounds exactly, and for QConv / QGemm the double-precision
// per-channel factors S[k] and B[k] of the epilogue.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

inline constexpr const char* kExactRoundingAttr = "exact_rounding";
inline constexpr const char* kExactWeightScalesAttr = "exact_weight_scales";
inline constexpr const char* kExactBiasAttr = "exact_bias";

// Attr "exact_rounding" is set (to 1).
bool exact_rounding(const Node& node);

// S[k] and B[k] of an exact QConv / QGemm with `channels` output channels (inputs: x, w, [bias], [residual]):
//   S[k] = attr "exact_weight_scales" when present, else the weight's Value::quant scale (per-tensor or axis 0);
//   B[k] = attr "exact_bias" when present, else the float bias constant, else 0.
// An attribute that is not a float64 tensor of `channels` elements is an error naming the node.
struct ExactChannelFactors {
  std::vector<double> weight_scales;
  std::vector<double> bias;
};
StatusOr<ExactChannelFactors> exact_channel_factors(const Graph& graph, const Node& node, int64_t channels);

}  // namespace qatrt
