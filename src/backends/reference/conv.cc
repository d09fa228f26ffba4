// Conv (ONNX) and FusedConv (ops.h): float direct convolution, then y = relu?(conv + bias[k] + residual).
// Conv is FusedConv without residual and relu. The weight and bias are read from the run-time views, so a
// Conv whose weight is not a constant works too.
#include <algorithm>

#include "backends/reference/conv_loop.h"
#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {

KernelOr make_conv_kernel(const Graph& graph, const Node& node) {
  const bool fused = node.op == Op::kFusedConv;
  QATRT_RETURN_IF_ERROR(check_arity(node, 2, fused ? 4 : 3, 1));
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (has_input(node, i)) QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[i], "operand", {DType::kFloat32}));
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.outputs[0], "output", {DType::kFloat32}));
  QATRT_ASSIGN_OR_RETURN(ConvShape shape, make_conv_shape(graph, node));
  const bool has_bias = has_input(node, 2);
  const bool has_residual = has_input(node, 3);
  if (has_bias && graph.value(node.inputs[2]).shape != Shape{shape.out_channels})
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": bias ",
                      shape_to_string(graph.value(node.inputs[2]).shape), " must be [", shape.out_channels, "]");
  if (has_residual && graph.value(node.inputs[3]).shape != graph.value(node.outputs[0]).shape)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": residual ",
                      shape_to_string(graph.value(node.inputs[3]).shape), " must have the output shape ",
                      shape_to_string(graph.value(node.outputs[0]).shape));
  const bool relu = fused && node.attr_int("relu", 0) != 0;

  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    float* y = out[0].as<float>();
    std::fill(y, y + out[0].numel(), 0.0f);
    convolve<float>(shape, in[0].as<const float>(), 0.0f, in[1].as<const float>(),
                    std::vector<float>(static_cast<size_t>(shape.out_channels), 0.0f), y);
    const int64_t spatial = shape.window.out_size();
    for (int64_t i = 0; i < out[0].numel(); ++i) {
      if (has_bias) y[i] += in[2].as<const float>()[(i / spatial) % shape.out_channels];
      if (has_residual) y[i] += in[3].as<const float>()[i];
      if (relu) y[i] = std::max(y[i], 0.0f);
    }
    return {};
  });
}

}  // namespace qatrt::reference
