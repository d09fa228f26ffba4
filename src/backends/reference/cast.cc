// Cast (src/ir/ops.h) between float32 and float16, elementwise in any layout: float → half rounds to nearest
// even, half → float is exact (core/float16.h). The oracle of the GPU's conversions at a --fp16 plan's boundary.
#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"
#include "core/float16.h"

namespace qatrt::reference {

KernelOr make_cast_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, 1, 1));
  const DType from = graph.value(node.inputs[0]).dtype, to = graph.value(node.outputs[0]).dtype;
  const bool narrows = from == DType::kFloat32 && to == DType::kFloat16;
  if (!narrows && !(from == DType::kFloat16 && to == DType::kFloat32))
    return make_error(StatusCode::kUnsupported, node.describe(), ": Cast from ", dtype_name(from), " to ",
                      dtype_name(to), " (qatrt casts float32 ↔ float16 only)");
  return make_kernel([narrows](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const int64_t n = in[0].numel();
    if (narrows) {
      for (int64_t i = 0; i < n; ++i) out[0].as<uint16_t>()[i] = float_to_half_bits(in[0].as<const float>()[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) out[0].as<float>()[i] = half_bits_to_float(in[0].as<const uint16_t>()[i]);
    }
    return {};
  });
}

}  // namespace qatrt::reference
