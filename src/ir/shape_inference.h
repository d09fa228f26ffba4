// Shape and dtype inference: fills Value::shape, Value::dtype (and Value::quant for the outputs of
// QuantizeLinear / Requantize / quantized fused ops, from their attributes) for every node output, in
// topological order. A dynamic batch (kDynamicDim) propagates. Errors name the node and the shapes.
#pragma once

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

Status infer_shapes(Graph& graph);
// One node, its input values already inferred.
Status infer_node_shapes(Graph& graph, Node& node);

}  // namespace qatrt
