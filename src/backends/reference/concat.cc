// Concat (ONNX opset 13), any dtype: inputs joined along `axis` (negative counts from the end). Viewing each
// tensor as [outer, dim_axis · inner], the output row of each outer index is the inputs' rows one after another.
#include <cstring>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {

KernelOr make_concat_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, node.inputs.size(), 1));
  const Value& y = graph.value(node.outputs[0]);
  const int64_t rank = static_cast<int64_t>(y.shape.size());
  QATRT_ASSIGN_OR_RETURN(int64_t axis, normalized_axis(node, node.attr_int("axis", 0), rank));
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= y.shape[d];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= y.shape[d];
  std::vector<int64_t> row_bytes;  // per input: bytes of one outer row
  int64_t total = 0;
  for (ValueId id : node.inputs) {
    const Value& x = graph.value(id);
    bool fits = id != kNoValue && x.dtype == y.dtype && static_cast<int64_t>(x.shape.size()) == rank;
    for (int64_t d = 0; fits && d < rank; ++d) fits = d == axis || x.shape[d] == y.shape[d];
    if (!fits)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": input '", x.name, "' ", dtype_name(x.dtype),
                        " ", shape_to_string(x.shape), " does not fit the output ", dtype_name(y.dtype), " ",
                        shape_to_string(y.shape), " along axis ", axis);
    total += x.shape[axis];
    row_bytes.push_back(x.shape[axis] * inner * static_cast<int64_t>(dtype_size(y.dtype)));
  }
  if (total != y.shape[axis])
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": inputs sum to ", total, " along axis ",
                      axis, " but the output has ", y.shape[axis]);
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    auto* py = static_cast<uint8_t*>(out[0].data);
    for (int64_t o = 0; o < outer; ++o)
      for (size_t i = 0; i < in.size(); ++i) {
        std::memcpy(py, static_cast<const uint8_t*>(in[i].data) + o * row_bytes[i], static_cast<size_t>(row_bytes[i]));
        py += row_bytes[i];
      }
    return {};
  });
}

}  // namespace qatrt::reference
