// Multiply-accumulates of a node, counted from the graph's shapes: the work a layer does, so that a profile
// can state achieved tera-ops per second (2 ops per MAC) against a card's peak.
//   Conv, FusedConv, QConv:  N·P·Q·K · (C/group)·R·S  = numel(y) · numel(w) / w[0]
//                            (w: [K, C/group, R, S, ...]; padding and stride are already in y's shape,
//                            dilation changes no count)
//   Gemm:                    M·N·K with K = a's dim 1 (dim 0 when transA)          = numel(y) · K
//   MatMul:                  numel(y) · K with K = a's last dim (batched and 1-D operands alike)
//   FusedGemm, QGemm:        M·N·K with K = w's dim 1 (w: [N, K])                  = numel(y) · K
// Real channels, as the graph holds them (a device's padded channels are its own business). Every other op
// counts 0, including the epilogue adds of fused ops: they are not multiply-accumulates.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

// Whether `op` multiplies-accumulates (a convolution or a matrix product).
bool counts_macs(Op op);

// The node's multiply-accumulates for one run of the graph as shaped (the batch included). An op that does
// none gives 0; a convolution or product whose output or operand shapes are not static is an error naming
// the node and the shape (bind the batch first, e.g. with bind_batch_size).
StatusOr<int64_t> count_macs(const Graph& graph, const Node& node);

}  // namespace qatrt
