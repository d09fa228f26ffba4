// MaxPool on int8, float32 and float16, GlobalAveragePool on float32 and float16 (pooling.h), both NHWC on the device (device_layout.h).
#include "backends/cuda/device_layout.h"
#include "backends/cuda/node_kernels.h"
#include "backends/cuda/pooling.h"
#include "backends/reference/kernel_util.h"
#include "backends/reference/window.h"

namespace qatrt::cuda {
namespace {

Status unsupported(const Node& node, const std::string& why) {
  return make_error(StatusCode::kUnsupported, node.describe(), ": ", why, "; run this node on the CPU backend");
}

StatusOr<PoolGeometry> plan_pool(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(reference::check_arity(node, 1, 1, 1));
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (x.shape.size() != 4) return unsupported(node, "input " + shape_to_string(x.shape) + " is not 4-D");
  if (x.dtype != y.dtype) return unsupported(node, "output dtype differs from the input's");
  PoolGeometry g{.n = static_cast<int>(x.shape[0]), .h = static_cast<int>(x.shape[2]),
                 .w = static_cast<int>(x.shape[3]), .c = static_cast<int>(stored_channels(x.dtype, x.shape[1]))};
  if (node.op == Op::kGlobalAveragePool) {
    if (x.dtype != DType::kFloat32 && x.dtype != DType::kFloat16)
      return unsupported(node, "GlobalAveragePool on " + std::string(dtype_name(x.dtype)) + " (float only on the GPU)");
    return g;
  }
  if (node.op != Op::kMaxPool) return unsupported(node, "only MaxPool and GlobalAveragePool are pooled on the GPU");
  if (x.dtype != DType::kInt8 && x.dtype != DType::kFloat32 && x.dtype != DType::kFloat16)
    return unsupported(node, "MaxPool on " + std::string(dtype_name(x.dtype)) + " (int8 and float only on the GPU)");
  if (node.outputs.size() > 1) return unsupported(node, "MaxPool's Indices output");
  QATRT_ASSIGN_OR_RETURN(reference::Window w,
                         reference::make_window(node, x.shape, node.attr_ints("kernel_shape"), y.shape));
  if (w.dilation[1] != 1 || w.dilation[2] != 1)
    return unsupported(node, "dilation " + std::to_string(w.dilation[1]) + "x" + std::to_string(w.dilation[2]));
  g.p = static_cast<int>(w.out[1]);
  g.q = static_cast<int>(w.out[2]);
  g.kernel_h = static_cast<int>(w.kernel[1]);
  g.kernel_w = static_cast<int>(w.kernel[2]);
  g.stride_h = static_cast<int>(w.stride[1]);
  g.stride_w = static_cast<int>(w.stride[2]);
  g.pad_h = static_cast<int>(w.pad_begin[1]);
  g.pad_w = static_cast<int>(w.pad_begin[2]);
  return g;
}

}  // namespace

Status check_pool(const Graph& graph, const Node& node) { return plan_pool(graph, node).status(); }

KernelOr make_pool(const Graph& graph, const Node& node, cudaStream_t stream) {
  QATRT_ASSIGN_OR_RETURN(PoolGeometry g, plan_pool(graph, node));
  const DType dtype = graph.value(node.inputs[0]).dtype;
  if (node.op == Op::kGlobalAveragePool)
    return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
      if (in[0].layout != Layout::kNhwc) return cudaErrorInvalidValue;
      if (dtype == DType::kFloat16)
        return global_average_pool_f16_nhwc(in[0].as<const __half>(), out[0].as<__half>(), g.n, g.h * g.w, g.c, stream);
      return global_average_pool_f32_nhwc(in[0].as<const float>(), out[0].as<float>(), g.n, g.h * g.w, g.c, stream);
    });
  if (dtype != DType::kInt8)
    return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
      if (in[0].layout != Layout::kNhwc) return cudaErrorInvalidValue;
      if (dtype == DType::kFloat16) return max_pool_f16_nhwc(in[0].as<const __half>(), out[0].as<__half>(), g, stream);
      return max_pool_f32_nhwc(in[0].as<const float>(), out[0].as<float>(), g, stream);
    });
  return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
    if (in[0].layout != Layout::kNhwc) return cudaErrorInvalidValue;
    return max_pool_s8_nhwc(in[0].as<const int8_t>(), out[0].as<int8_t>(), g, stream);
  });
}

}  // namespace qatrt::cuda
