// Structural checks run after import and after every pass (tinygrad's spec.py habit): SSA (one producer
// per value), topological order, ids in range, arity per op, constants where the op needs them, quant
// params on every int8/uint8 value a fused op reads. Returns the first violation, naming node and value.
#pragma once

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

Status verify_graph(const Graph& graph);

}  // namespace qatrt
