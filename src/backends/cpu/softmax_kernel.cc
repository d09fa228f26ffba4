// Softmax (opset 13: along one axis, default the last) on oneDNN's softmax over row-major data.
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dnnl_util.h"
#include "backends/cpu/src_dst_kernel.h"

namespace qatrt::cpu {
namespace {

Status supports_softmax(const Graph& graph, const Node& node) {
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (x.dtype != DType::kFloat32 || y.dtype != DType::kFloat32)
    return make_error(StatusCode::kUnsupported, node.describe(), ": only float32 Softmax runs on the CPU backend, got ",
                      dtype_name(x.dtype));
  const auto rank = static_cast<int64_t>(x.shape.size());
  int64_t axis = node.attr_int("axis", -1);
  if (rank == 0 || axis < -rank || axis >= rank || !shape_is_static(x.shape))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": axis ", axis, " does not fit input ",
                      shape_to_string(x.shape));
  return {};
}

StatusOr<std::unique_ptr<Kernel>> create_softmax(const dnnl::engine& engine, const Graph& graph, const Node& node) {
  const Value& x = graph.value(node.inputs[0]);
  const auto rank = static_cast<int64_t>(x.shape.size());
  int64_t axis = node.attr_int("axis", -1);
  if (axis < 0) axis += rank;
  try {
    dnnl::memory::desc md = buffer_desc(x.shape, x.dtype, Layout::kNchw);
    dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, md, static_cast<int>(axis));
    dnnl::softmax_forward::primitive_desc pd(desc, engine);
    return std::unique_ptr<Kernel>(new SrcDstKernel(engine, pd, node.describe(), Layout::kNchw));
  } catch (const dnnl::error& e) {
    return dnnl_failure(node.describe() + ": oneDNN has no softmax for " + shape_to_string(x.shape), e);
  }
}

}  // namespace

const KernelFamily kSoftmaxFamily = {supports_softmax, LayoutPolicy::kNchw, create_softmax};

}  // namespace qatrt::cpu
