// Relu and Clip (ONNX opset 13), float. Clip's min / max are optional constant inputs (the attributes of
// older opsets are accepted too); an absent bound is ±infinity.
#include <algorithm>
#include <limits>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {
namespace {

StatusOr<float> clip_bound(const Graph& graph, const Node& node, size_t input, const char* name, float fallback) {
  if (!has_input(node, input)) return node.attr_float(name, fallback);
  QATRT_ASSIGN_OR_RETURN(Tensor t, constant_input(graph, node, input, name));
  if (t.numel() != 1)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", name, " must be a scalar, got ",
                      shape_to_string(t.shape()));
  return static_cast<float>(t.as_double(0));
}

}  // namespace

KernelOr make_activation_kernel(const Graph& graph, const Node& node) {
  const bool clip = node.op == Op::kClip;
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, clip ? 3 : 1, 1));
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32}));
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.outputs[0], "output", {DType::kFloat32}));
  float low = 0, high = std::numeric_limits<float>::infinity();  // Relu
  if (clip) {
    QATRT_ASSIGN_OR_RETURN(low, clip_bound(graph, node, 1, "min", -std::numeric_limits<float>::infinity()));
    QATRT_ASSIGN_OR_RETURN(high, clip_bound(graph, node, 2, "max", std::numeric_limits<float>::infinity()));
  }
  return make_kernel([low, high](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const float* x = in[0].as<const float>();
    float* y = out[0].as<float>();
    // Written as comparisons so a NaN input stays NaN, as in numpy's clip (ONNX's reference).
    for (int64_t i = 0; i < in[0].numel(); ++i) y[i] = x[i] < low ? low : (x[i] > high ? high : x[i]);
    return {};
  });
}

}  // namespace qatrt::reference
