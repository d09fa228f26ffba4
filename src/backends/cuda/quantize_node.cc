// QuantizeLinear (float → int8) and DequantizeLinear (int8 → float), per-tensor, any zero point, exact
// (quantize.h). A 4-D value changes layout on the way: float NHWC (or the NCHW graph input) ↔ int8 NHWC with
// padded channels (device_layout.h); other ranks are element-wise over row-major bytes.
#include "backends/cuda/device_layout.h"
#include "backends/cuda/node_kernels.h"
#include "backends/cuda/quantize.h"
#include "backends/reference/kernel_util.h"

namespace qatrt::cuda {
namespace {

StatusOr<QuantParams> plan_quantize(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(reference::check_arity(node, 1, 1, 1));
  const bool quantize = node.op == Op::kQuantizeLinear;
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  const DType want_in = quantize ? DType::kFloat32 : DType::kInt8, want_out = quantize ? DType::kInt8 : DType::kFloat32;
  if (x.dtype != want_in || y.dtype != want_out)
    return make_error(StatusCode::kUnsupported, node.describe(), ": ", dtype_name(x.dtype), " → ", dtype_name(y.dtype),
                      " is not supported on the GPU (only ", dtype_name(want_in), " → ", dtype_name(want_out),
                      "); run this node on the CPU backend");
  QATRT_ASSIGN_OR_RETURN(QuantParams q, reference::quant_attributes(node, x.shape));
  if (q.per_axis())
    return make_error(StatusCode::kUnsupported, node.describe(), ": ", q.scales.size(),
                      " per-axis scales are not supported on the GPU (per-tensor only)");
  if (x.shape.size() == 4 && (x.shape[0] * x.shape[2] * x.shape[3] > (int64_t{1} << 31) || x.shape[1] > (1 << 30)))
    return make_error(StatusCode::kUnsupported, node.describe(), ": input ", shape_to_string(x.shape),
                      " is too large for the GPU layout conversion");
  return q;
}

}  // namespace

Status check_quantize(const Graph& graph, const Node& node) { return plan_quantize(graph, node).status(); }

KernelOr make_quantize(const Graph& graph, const Node& node, cudaStream_t stream) {
  QATRT_ASSIGN_OR_RETURN(QuantParams q, plan_quantize(graph, node));
  const float scale = q.scales[0];
  const auto zero = static_cast<int32_t>(q.zero_points[0]);
  const Shape shape = graph.value(node.inputs[0]).shape;
  if (node.op == Op::kQuantizeLinear) {
    if (shape.size() != 4)
      return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
        return quantize_s8(in[0].as<const float>(), out[0].as<int8_t>(), in[0].numel(), scale, zero, stream);
      });
    const int padded = static_cast<int>(stored_channels(DType::kInt8, shape[1]));
    return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
      return quantize_s8_to_nhwc(in[0].as<const float>(), in[0].layout == Layout::kNchw, out[0].as<int8_t>(),
                                 static_cast<int>(shape[0]), static_cast<int>(shape[1]), static_cast<int>(shape[2]),
                                 static_cast<int>(shape[3]), padded, scale, zero, stream);
    });
  }
  if (shape.size() != 4)
    return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
      return dequantize_s8(in[0].as<const int8_t>(), out[0].as<float>(), in[0].numel(), scale, zero, stream);
    });
  const int padded = static_cast<int>(stored_channels(DType::kInt8, shape[1]));
  return make_launch_kernel(node, [=](std::span<const TensorView> in, std::span<const TensorView> out) {
    if (in[0].layout != Layout::kNhwc) return cudaErrorInvalidValue;
    return dequantize_s8_from_nhwc(in[0].as<const int8_t>(), out[0].as<float>(), shape[0] * shape[2] * shape[3],
                                   static_cast<int>(shape[1]), padded, scale, zero, stream);
  });
}

}  // namespace qatrt::cuda
