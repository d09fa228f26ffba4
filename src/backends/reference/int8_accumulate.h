// The exact int32 accumulators of QConv and QGemm (contracts in src/ir/ops.h), exposed on their own so other
// backends' kernel tests can compare accumulators bit for bit, before any float epilogue:
//   QConv: acc[n, k, o] = Σ_{c, t} (q_x − z_x)·(q_w[k, c, t] − z_w[k])   (padding contributes 0: q_x = z_x there)
//   QGemm: acc[m, n]    = Σ_k (q_a[m, k] − z_a)·(q_w[n, k] − z_w[n])
// x / a are int8 or uint8 (x NCHW), w is int8, w_zero_points has one entry (per-tensor) or one per output
// channel. Results are row-major: [N, K, spatial...] and [M, N].
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "backends/reference/window.h"
#include "core/dtype.h"
#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::reference {

std::vector<int32_t> qconv_accumulate(const ConvShape& shape, DType x_type, const void* x, int32_t x_zero,
                                      const int8_t* w, std::span<const int64_t> w_zero_points);

std::vector<int32_t> qgemm_accumulate(int64_t m, int64_t n, int64_t k, DType a_type, const void* a, int32_t a_zero,
                                      const int8_t* w, std::span<const int64_t> w_zero_points);

// The same, reading geometry, zero points and the weight from a QConv / QGemm node of a graph with concrete
// shapes; x / a is the activation buffer (NCHW / [M, K]).
StatusOr<std::vector<int32_t>> qconv_node_accumulators(const Graph& graph, const Node& node, const void* x);
StatusOr<std::vector<int32_t>> qgemm_node_accumulators(const Graph& graph, const Node& node, const void* a);

}  // namespace qatrt::reference
