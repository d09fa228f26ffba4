// BatchNormalization (ONNX opset 13, inference mode: one output) and Softmax (opset 13: along one axis), float.
//   BatchNormalization: y = (x − mean[c]) / sqrt(var[c] + epsilon) · scale[c] + B[c], c = axis 1.
//   Softmax: y = exp(x − max) / Σ exp(x − max) along `axis` (default −1); subtracting the max avoids overflow
//   and does not change the result.
#include <algorithm>
#include <cmath>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {

KernelOr make_batch_norm_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 5, 5, 1));
  for (ValueId id : node.inputs) QATRT_RETURN_IF_ERROR(check_dtype(graph, node, id, "operand", {DType::kFloat32}));
  if (node.attr_int("training_mode", 0) != 0)
    return make_error(StatusCode::kUnsupported, node.describe(), ": training_mode=1 is not supported (inference only)");
  const Shape& x = graph.value(node.inputs[0]).shape;
  if (x.size() < 2)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(x), " has no channel dim");
  const int64_t channels = x[1];
  for (size_t i = 1; i < 5; ++i)
    if (graph.value(node.inputs[i]).shape != Shape{channels})
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": operand '", graph.value(node.inputs[i]).name,
                        "' ", shape_to_string(graph.value(node.inputs[i]).shape), " must be [", channels, "]");
  const float epsilon = node.attr_float("epsilon", 1e-5f);
  const int64_t inner = shape_numel(Shape(x.begin() + 2, x.end()));
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const float* px = in[0].as<const float>();
    const float *scale = in[1].as<const float>(), *bias = in[2].as<const float>();
    const float *mean = in[3].as<const float>(), *var = in[4].as<const float>();
    float* py = out[0].as<float>();
    for (int64_t i = 0; i < in[0].numel(); ++i) {
      const int64_t c = (i / inner) % channels;
      py[i] = (px[i] - mean[c]) / std::sqrt(var[c] + epsilon) * scale[c] + bias[c];
    }
    return {};
  });
}

KernelOr make_softmax_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, 1, 1));
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32}));
  const Shape& x = graph.value(node.inputs[0]).shape;
  QATRT_ASSIGN_OR_RETURN(int64_t axis,
                         normalized_axis(node, node.attr_int("axis", -1), static_cast<int64_t>(x.size())));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= x[d];
  for (size_t d = axis + 1; d < x.size(); ++d) inner *= x[d];
  const int64_t extent = x[axis];
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const float* px = in[0].as<const float>();
    float* py = out[0].as<float>();
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        const int64_t base = o * extent * inner + i;
        float max = -INFINITY;
        for (int64_t e = 0; e < extent; ++e) max = std::max(max, px[base + e * inner]);
        float sum = 0;
        for (int64_t e = 0; e < extent; ++e) sum += std::exp(px[base + e * inner] - max);
        for (int64_t e = 0; e < extent; ++e) py[base + e * inner] = std::exp(px[base + e * inner] - max) / sum;
      }
    return {};
  });
}

}  // namespace qatrt::reference
