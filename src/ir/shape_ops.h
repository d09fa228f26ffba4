// Shape rules shared by shape inference and the backends: numpy broadcasting and the pure shape ops
// (Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Pad, Concat), whose shape operands must be constants.
#pragma once

#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

// Numpy broadcast of two shapes; a dynamic dim broadcasts with 1 or itself.
Status broadcast_shapes(const Shape& a, const Shape& b, Shape& out);
Status infer_shape_op(const Graph& graph, const Node& node, Shape& out);
// The constant integer operand `index` of a node (Reshape shape, Pad pads, Squeeze axes…), or an error
// naming the node and suggesting constant folding.
StatusOr<std::vector<int64_t>> constant_ints(const Graph& graph, const Node& node, size_t index);
// Squeeze/Unsqueeze axes: the constant input (opset 13) or the "axes" attribute; empty if neither.
StatusOr<std::vector<int64_t>> squeeze_axes(const Graph& graph, const Node& node);

}  // namespace qatrt
