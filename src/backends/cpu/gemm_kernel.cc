// FusedGemm and QGemm on oneDNN's matmul (its brgemm kernels take u8/s8 sources with a runtime zero point,
// which inner_product does not). The constant weight is stored [N,K]; oneDNN sees it as the [K,N] operand
// with strides (1, K) and reorders it once into the layout the primitive picks. Epilogue: fused_epilogue.h, or
// exact_epilogue.h for exact rounding.
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dnnl_util.h"
#include "backends/cpu/exact_epilogue.h"
#include "backends/cpu/fused_epilogue.h"
#include "backends/cpu/fused_kernel.h"

namespace qatrt::cpu {
namespace {

Status supports_gemm(const Graph& graph, const Node& node) {
  FusedOperands ops = fused_operands(node);
  if (ops.x == kNoValue || ops.w == kNoValue || ops.y == kNoValue)
    return make_error(StatusCode::kUnsupported, node.describe(), ": expected inputs (a, w, [bias], [residual])");
  const Shape& a = graph.value(ops.x).shape;
  const Shape& w = graph.value(ops.w).shape;
  const Shape& y = graph.value(ops.y).shape;
  if (a.size() != 2 || w.size() != 2 || y.size() != 2 || a[1] != w[1] || y[1] != w[0])
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": expected a [M,K], w [N,K], y [M,N], got a ",
                      shape_to_string(a), " w ", shape_to_string(w), " y ", shape_to_string(y));
  if (!shape_is_static(a) || !shape_is_static(y))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": shapes must be concrete, got a ",
                      shape_to_string(a), "; bind the batch size first");
  return check_fused_operands(graph, node, w[0]);
}

StatusOr<std::unique_ptr<Kernel>> create_gemm(const dnnl::engine& engine, const Graph& graph, const Node& node) {
  FusedOperands ops = fused_operands(node);
  const Value& a = graph.value(ops.x);
  const Value& w = graph.value(ops.w);
  const Value& y = graph.value(ops.y);
  const int64_t n = w.shape[0], k = w.shape[1];
  // An exact node's primitive computes int32 accumulators only; exact_epilogue.h finishes it in double.
  const bool exact = uses_exact_epilogue(node);
  EpiloguePlan plan = exact ? accumulator_plan(graph, node) : plan_epilogue(graph, node, n);

  const auto weight_type = dnnl_type(w.dtype);
  dnnl::memory::desc src_md = buffer_desc(a.shape, a.dtype, Layout::kNchw);
  dnnl::memory::desc dst_md = buffer_desc(y.shape, exact ? DType::kInt32 : y.dtype, Layout::kNchw);
  dnnl::memory::desc weights_md({k, n}, weight_type, dnnl::memory::format_tag::any);
  dnnl::memory::desc user_weights_md({k, n}, weight_type, dnnl::memory::dims{1, k});
  try {
    dnnl::primitive_attr attr =
        epilogue_attr(plan, residual_desc(graph, node, Layout::kNchw), /*channel_mask=*/1 << 1);
    auto desc = plan.bias.empty()
                    ? dnnl::matmul::desc(src_md, weights_md, dst_md)
                    : dnnl::matmul::desc(src_md, weights_md,
                                         dnnl::memory::desc({1, n}, dnnl::memory::data_type::f32,
                                                            dnnl::memory::format_tag::ab),
                                         dst_md);
    dnnl::matmul::primitive_desc pd(desc, attr, engine);
    QATRT_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel,
                           FusedKernel::create(engine, graph, node, pd, user_weights_md, plan, Layout::kNchw));
    if (!exact) return kernel;
    return with_exact_epilogue(std::move(kernel), graph, node, n, Layout::kNchw);
  } catch (const dnnl::error& e) {
    return dnnl_failure(node.describe() + ": oneDNN has no matmul for a " + shape_to_string(a.shape) + " w " +
                            shape_to_string(w.shape),
                        e);
  }
}

}  // namespace

const KernelFamily kGemmFamily = {supports_gemm, LayoutPolicy::kNchw, create_gemm};

}  // namespace qatrt::cpu
