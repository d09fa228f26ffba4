// The exact (double) per-channel weight scales and bias that --exact plans carry beside the float32 ones
// (src/ir/ops.h, "Exact rounding"). On a Conv/Gemm before fusion the attributes hold the exact values of the
// weight DQ's scales and of the bias input (C for a Gemm); on QConv/QGemm they hold S[k] and B[k] of the
// epilogue. Absent attributes mean the float32 values are exact.
#pragma once

#include <vector>

#include "core/quant.h"
#include "ir/exact_rounding.h"
#include "ir/graph.h"
#include "passes/graph_index.h"

namespace qatrt {

// The node's exact weight scales: its attribute when set, else `weight` (per-tensor or per-channel) as double.
std::vector<double> exact_weight_scales(const Node& node, const QuantParams& weight, int64_t channels);

// The node's exact bias: its attribute when set, else `bias` read in double the way bias_vector
// (passes/fusion_checks.h) reads it in float (zeros when kNoValue). `bias` must be an operand bias_vector
// accepts, as the fusions have checked.
std::vector<double> exact_bias(const Graph& graph, const GraphIndex& index, const Node& node, ValueId bias,
                               int64_t channels);

// Stores both vectors as float64 tensor attributes of `node`.
void set_exact_epilogue(Node& node, const std::vector<double>& scales, const std::vector<double>& bias);

}  // namespace qatrt
