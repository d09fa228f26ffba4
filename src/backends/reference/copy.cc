// Identity, Reshape, Flatten, Squeeze, Unsqueeze: the row-major element order does not change, only the shape,
// so each is a byte copy (any dtype). The output shape comes from shape inference; the kernel checks that the
// element counts agree and, for Reshape, that the shape operand is a constant.
#include <cstring>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {

KernelOr make_copy_kernel(const Graph& graph, const Node& node) {
  // Reshape's shape and opset-13 Squeeze / Unsqueeze axes are a second input; shape inference already used it.
  const bool shape_operand = node.op == Op::kReshape || node.op == Op::kSqueeze || node.op == Op::kUnsqueeze;
  QATRT_RETURN_IF_ERROR(check_arity(node, node.op == Op::kReshape ? 2 : 1, shape_operand ? 2 : 1, 1));
  if (node.op == Op::kReshape) QATRT_RETURN_IF_ERROR(constant_input(graph, node, 1, "shape").status());
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (x.dtype != y.dtype || shape_numel(x.shape) != shape_numel(y.shape))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": cannot copy ", dtype_name(x.dtype), " ",
                      shape_to_string(x.shape), " into ", dtype_name(y.dtype), " ", shape_to_string(y.shape));
  return make_kernel([](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    if (out[0].data != in[0].data)
      std::memmove(out[0].data, in[0].data, static_cast<size_t>(in[0].numel()) * dtype_size(in[0].dtype));
    return {};
  });
}

}  // namespace qatrt::reference
