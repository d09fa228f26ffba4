// Identity, Flatten, Reshape, Squeeze, Unsqueeze: the row-major bytes do not change, so the kernel copies them
// (nothing at all when the runtime let the output alias the input). Shape operands are constants the kernel
// never reads. Flatten & co. ask for NCHW so that a 4-D input is row-major before its dimensions are merged;
// Identity keeps whatever layout it is given.
#include <cstring>

#include "backends/cpu/cpu_kernels.h"

namespace qatrt::cpu {
namespace {

class CopyKernel final : public Kernel {
 public:
  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    const TensorView& x = inputs[0];
    const TensorView& y = outputs[0];
    if (x.data != y.data) std::memcpy(y.data, x.data, static_cast<size_t>(y.numel()) * dtype_size(y.dtype));
    return {};
  }
};

Status supports_copy(const Graph& graph, const Node& node) {
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (node.outputs.size() != 1 || x.dtype != y.dtype || shape_numel(x.shape) != shape_numel(y.shape) ||
      !shape_is_static(y.shape))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", dtype_name(x.dtype), " ",
                      shape_to_string(x.shape), " and output ", dtype_name(y.dtype), " ", shape_to_string(y.shape),
                      " must hold the same elements");
  for (size_t i = 1; i < node.inputs.size(); ++i)
    if (node.inputs[i] != kNoValue && !graph.is_constant(node.inputs[i]))
      return make_error(StatusCode::kUnsupported, node.describe(), ": shape operand '",
                        graph.value(node.inputs[i]).name, "' must be a constant");
  return {};
}

StatusOr<std::unique_ptr<Kernel>> create_copy(const dnnl::engine&, const Graph&, const Node&) {
  return std::unique_ptr<Kernel>(new CopyKernel());
}

}  // namespace

const KernelFamily kCopyFamily = {supports_copy, LayoutPolicy::kNchw, create_copy};
const KernelFamily kIdentityFamily = {supports_copy, LayoutPolicy::kAny, create_copy};

}  // namespace qatrt::cpu
