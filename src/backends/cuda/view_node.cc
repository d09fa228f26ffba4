// Identity, Flatten, Reshape, Squeeze, Unsqueeze: views when the device bytes are already in row-major IR order
// (device_layout.h), so the execution context gives the output the input's bytes and no kernel runs.
#include "backends/cuda/device_layout.h"
#include "backends/cuda/node_kernels.h"

namespace qatrt::cuda {

Status check_view(const Graph& graph, const Node& node) {
  if (node.inputs.empty() || node.outputs.size() != 1 || node.inputs[0] == kNoValue)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": expected a data input and one output");
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (x.dtype != y.dtype || shape_numel(x.shape) != shape_numel(y.shape))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", shape_to_string(x.shape), " → ",
                      shape_to_string(y.shape), " changes the dtype or the element count");
  if (!device_row_major(x.dtype, x.shape) || !device_row_major(y.dtype, y.shape))
    return make_error(StatusCode::kUnsupported, node.describe(), ": ", shape_to_string(x.shape), " → ",
                      shape_to_string(y.shape), " reorders NHWC device data (only H = W = 1 unpadded 4-D values "
                      "are views on the GPU); no GPU copy kernel exists yet");
  return {};
}

}  // namespace qatrt::cuda
