// The host backends (reference, cpu) have no float16 layers: a --fp16 plan's layers round their operands and
// results to float16 (src/ir/ops.h), which a float32 kernel would silently not do, so they refuse every node
// that reads or writes a float16 value and say where it runs — except Cast, the exact conversion the
// reference backend does run (the oracle of the GPU's).
#pragma once

#include <string_view>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::reference {

// OK when the node is a Cast or touches no float16 value; otherwise kUnsupported naming the node, --fp16 and the cuda backend.
Status refuse_float16(const Graph& graph, const Node& node, std::string_view backend);

}  // namespace qatrt::reference
