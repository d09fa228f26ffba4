// Cast between float32 and float16 (cast.h): the conversions a --fp16 plan makes at its graph boundary.
// Elementwise, so it reads and writes whatever layout its input has (its output takes the same).
#include "backends/cuda/cast.h"
#include "backends/cuda/node_kernels.h"
#include "backends/reference/kernel_util.h"

namespace qatrt::cuda {

Status check_cast(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(reference::check_arity(node, 1, 1, 1));
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  const bool narrows = x.dtype == DType::kFloat32 && y.dtype == DType::kFloat16;
  const bool widens = x.dtype == DType::kFloat16 && y.dtype == DType::kFloat32;
  if (!narrows && !widens)
    return make_error(StatusCode::kUnsupported, node.describe(), ": Cast from ", dtype_name(x.dtype), " to ",
                      dtype_name(y.dtype), " (the GPU casts float32 ↔ float16 only)");
  return {};
}

KernelOr make_cast(const Graph& graph, const Node& node, cudaStream_t stream) {
  QATRT_RETURN_IF_ERROR(check_cast(graph, node));
  const bool narrows = graph.value(node.inputs[0]).dtype == DType::kFloat32;
  return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
    if (in[0].shape.size() == 4 && in[0].layout != out[0].layout) return cudaErrorInvalidValue;
    return narrows ? cast_f32_to_f16(in[0].as<const float>(), out[0].as<__half>(), in[0].numel(), stream)
                   : cast_f16_to_f32(in[0].as<const __half>(), out[0].as<float>(), in[0].numel(), stream);
  });
}

}  // namespace qatrt::cuda
