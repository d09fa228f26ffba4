// Transpose (ONNX opset 13), any dtype: output dim i is input dim perm[i]; perm defaults to reversing the dims.
#include <algorithm>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {

KernelOr make_transpose_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, 1, 1));
  const Shape& x = graph.value(node.inputs[0]).shape;
  const Shape& y = graph.value(node.outputs[0]).shape;
  const int64_t rank = static_cast<int64_t>(x.size());
  std::vector<int64_t> perm = node.attr_ints("perm");
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  bool valid = static_cast<int64_t>(perm.size()) == rank && y.size() == x.size();
  for (int64_t i = 0; valid && i < rank; ++i) valid = sorted[i] == i && y[i] == x[perm[i]];
  if (!valid)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": perm ", shape_to_string(perm),
                      " does not map ", shape_to_string(x), " to ", shape_to_string(y));
  // Output dim i walks input dim perm[i]: its input stride.
  const std::vector<int64_t> x_strides = row_major_strides(x);
  std::vector<int64_t> strides(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) strides[i] = x_strides[perm[i]];
  const DType type = graph.value(node.inputs[0]).dtype;
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    return visit_element_size(type, [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* px = in[0].as<const T>();
      T* py = out[0].as<T>();
      for (int64_t o = 0; o < out[0].numel(); ++o) {
        int64_t rest = o, offset = 0;
        for (size_t d = y.size(); d-- > 0;) {
          offset += (rest % y[d]) * strides[d];
          rest /= y[d];
        }
        py[o] = px[offset];
      }
      return {};
    });
  });
}

}  // namespace qatrt::reference
