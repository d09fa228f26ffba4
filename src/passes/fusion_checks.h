// The operand checks of the conv/gemm fusions, shared with assign_precision so a layer left in float says
// exactly which condition failed. Each why_* returns "" when the operand qualifies, else the reason.
#pragma once

#include <optional>
#include <string>

#include "core/tensor.h"
#include "ir/graph.h"
#include "passes/graph_index.h"

namespace qatrt {

// A weight QConv/QGemm can read: DQ of an int8 constant whose Value::quant equals the DQ's attributes,
// zero points 0, per-tensor or per-axis along `channel_axis` (the output channels).
std::string why_weight_not_int8(const Graph& graph, const GraphIndex& index, ValueId weight, int64_t channel_axis);

// A bias the fused ops can take as a float [channels] vector: a float constant or DQ of an int8/int32
// constant, of `channels` elements (or one, broadcast). `scale` multiplies it (Gemm's beta).
// nullopt when `bias` is not such a constant. kNoValue gives nullopt too: check for it first.
std::optional<Tensor> bias_vector(const Graph& graph, const GraphIndex& index, ValueId bias, int64_t channels,
                                  double scale);

// Why a Conv / Gemm / MatMul does not become QConv / QGemm ("" when it does).
std::string why_conv_not_int8(const Graph& graph, const GraphIndex& index, const Node& conv);
std::string why_gemm_not_int8(const Graph& graph, const GraphIndex& index, const Node& gemm);

// Gemm / MatMul facts the fusion needs: the axis of the weight holding N, and whether C qualifies.
int64_t gemm_weight_n_axis(const Node& gemm);
std::string why_gemm_operands_unsupported(const Graph& graph, const GraphIndex& index, const Node& gemm);

}  // namespace qatrt
