// The graph and weights sections of a plan (layout: docs/plan-format.md). Names, not enum numbers, are stored
// for ops, dtypes, precisions and attribute types, so reordering an enum can't change a stored plan's meaning.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

struct EncodedGraph {
  std::vector<uint8_t> graph;    // structure: values, graph inputs/outputs, nodes
  std::vector<uint8_t> weights;  // constant tensors (values' and tensor attributes'), 64-byte aligned each
};

StatusOr<EncodedGraph> encode_graph(const Graph& graph);
// Every count, length, id and offset is bounds-checked; errors are kCorrupt naming the field and offset.
// The result is structurally decoded only: the caller runs verify_graph.
StatusOr<Graph> decode_graph(std::span<const uint8_t> graph_bytes, std::span<const uint8_t> weights_bytes);

}  // namespace qatrt
