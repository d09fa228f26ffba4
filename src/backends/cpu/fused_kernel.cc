#include "backends/cpu/fused_kernel.h"

#include <cstring>

#include "backends/cpu/dnnl_util.h"

namespace qatrt::cpu {

StatusOr<std::unique_ptr<Kernel>> FusedKernel::create(const dnnl::engine& engine, const Graph& graph,
                                                      const Node& node, const dnnl::primitive_desc& primitive_desc,
                                                      const dnnl::memory::desc& user_weights_desc,
                                                      const EpiloguePlan& plan, Layout activation_layout) {
  std::unique_ptr<FusedKernel> kernel(new FusedKernel());
  kernel->node_ = node.describe();
  kernel->layout_ = activation_layout;
  FusedOperands ops = fused_operands(node);
  try {
    kernel->stream_ = dnnl::stream(engine);
    kernel->primitive_ = dnnl::primitive(primitive_desc);

    // Weights: the graph's constant, reordered (and for s8 sources given oneDNN's compensation) once.
    const Tensor& w = *graph.value(ops.w).constant;
    dnnl::memory user_weights(user_weights_desc, engine, const_cast<void*>(w.raw()));
    kernel->weights_ = dnnl::memory(primitive_desc.weights_desc(), engine);
    dnnl::reorder(user_weights, kernel->weights_).execute(kernel->stream_, user_weights, kernel->weights_);
    kernel->stream_.wait();

    kernel->src_ = unbound_memory(primitive_desc.src_desc(), engine);
    kernel->dst_ = unbound_memory(primitive_desc.dst_desc(), engine);
    kernel->args_ = {{DNNL_ARG_SRC, kernel->src_}, {DNNL_ARG_WEIGHTS, kernel->weights_}, {DNNL_ARG_DST, kernel->dst_}};
    if (!plan.bias.empty()) {
      kernel->bias_ = dnnl::memory(primitive_desc.query_md(dnnl::query::weights_md, 1), engine);
      std::memcpy(kernel->bias_.get_data_handle(), plan.bias.data(), plan.bias.size() * sizeof(float));
      kernel->args_[DNNL_ARG_BIAS] = kernel->bias_;
    }
    if (plan.has_residual) {
      kernel->residual_ = unbound_memory(residual_desc(graph, node, activation_layout), engine);
      kernel->args_[kResidualArg] = kernel->residual_;
    }
    if (plan.src_zero_point != 0) {
      kernel->src_zero_point_ = dnnl::memory({{1}, dnnl::memory::data_type::s32, {1}}, engine);
      *static_cast<int32_t*>(kernel->src_zero_point_.get_data_handle()) = plan.src_zero_point;
      kernel->args_[DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC] = kernel->src_zero_point_;
    }
  } catch (const dnnl::error& e) {
    return dnnl_failure(node.describe() + ": preparing the oneDNN primitive", e);
  }
  return std::unique_ptr<Kernel>(std::move(kernel));
}

Status FusedKernel::run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  const TensorView& x = inputs[0];
  const TensorView& y = outputs[0];
  QATRT_RETURN_IF_ERROR(expect_layout(x, layout_, node_, "input"));
  QATRT_RETURN_IF_ERROR(expect_layout(y, layout_, node_, "output"));
  try {
    src_.set_data_handle(x.data);
    dst_.set_data_handle(y.data);
    if (residual_) {
      const TensorView& r = inputs[3];
      QATRT_RETURN_IF_ERROR(expect_layout(r, layout_, node_, "residual"));
      residual_.set_data_handle(r.data);
    }
    primitive_.execute(stream_, args_);
    stream_.wait();
  } catch (const dnnl::error& e) {
    return dnnl_failure(node_ + ": running the oneDNN primitive", e);
  }
  return {};
}

}  // namespace qatrt::cpu
