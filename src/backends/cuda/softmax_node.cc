// Softmax (float32, float16) over the innermost axis (softmax.h).
#include "backends/cuda/device_layout.h"
#include "backends/cuda/node_kernels.h"
#include "backends/cuda/softmax.h"
#include "backends/reference/kernel_util.h"

namespace qatrt::cuda {

Status check_softmax(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(reference::check_arity(node, 1, 1, 1));
  QATRT_RETURN_IF_ERROR(
      reference::check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32, DType::kFloat16}));
  const Shape& x = graph.value(node.inputs[0]).shape;
  const auto rank = static_cast<int64_t>(x.size());
  QATRT_ASSIGN_OR_RETURN(int64_t axis, reference::normalized_axis(node, node.attr_int("axis", -1), rank));
  if (axis != rank - 1 || !device_row_major(graph.value(node.inputs[0]).dtype, x) || x.back() > (1 << 30))
    return make_error(StatusCode::kUnsupported, node.describe(), ": softmax along axis ", axis, " of ",
                      shape_to_string(x), " (the GPU takes the innermost axis of a row-major tensor)");
  return {};
}

KernelOr make_softmax(const Graph& graph, const Node& node, cudaStream_t stream) {
  QATRT_RETURN_IF_ERROR(check_softmax(graph, node));
  const Shape& x = graph.value(node.inputs[0]).shape;
  const auto cols = static_cast<int>(x.empty() ? 1 : x.back());
  const int64_t rows = x.empty() ? 1 : shape_numel(x) / cols;
  const bool half = graph.value(node.inputs[0]).dtype == DType::kFloat16;
  return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
    if (half) return softmax_rows_f16(in[0].as<const __half>(), out[0].as<__half>(), rows, cols, stream);
    return softmax_rows_f32(in[0].as<const float>(), out[0].as<float>(), rows, cols, stream);
  });
}

}  // namespace qatrt::cuda
