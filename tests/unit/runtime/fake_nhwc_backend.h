// A fake backend that asks for NHWC: it runs Conv and MaxPool (policy kNhwc) and Relu (kAny) with the
// reference kernels, converting NHWC ↔ NCHW itself around them, and refuses every other op. Mixed with the
// reference backend it must give the all-reference result, which exercises the runtime's layout tracking,
// reorder insertion and fallback records. It also fails loudly if a 4-D activation arrives in the wrong layout.
#pragma once

#include <memory>
#include <vector>

#include "backends/reference/reference_backend.h"
#include "runtime/layout_reorder.h"

namespace qatrt::testing {

class NhwcWrapperKernel final : public Kernel {
 public:
  explicit NhwcWrapperKernel(std::unique_ptr<Kernel> inner) : inner_(std::move(inner)) {}

  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    // Activations arrive NHWC (4-D constants such as weights keep the IR layout, NCHW): give the NCHW kernel
    // NCHW copies, then store its NCHW outputs as NHWC.
    std::vector<Tensor> scratch;
    std::vector<TensorView> in(inputs.begin(), inputs.end()), out(outputs.begin(), outputs.end());
    for (auto& v : in)
      if (v.shape.size() == 4 && v.layout == Layout::kNhwc) v = to_nchw(v, scratch);
    for (const auto& v : outputs)
      if (v.shape.size() == 4 && v.layout != Layout::kNhwc)
        return make_error(StatusCode::kInternal, "fake-nhwc: a 4-D output was given in NCHW");
    for (auto& v : out)
      if (v.shape.size() == 4) v = scratch_nchw(v, scratch);
    QATRT_RETURN_IF_ERROR(inner_->run(in, out));
    for (size_t i = 0; i < out.size(); ++i)
      if (outputs[i].shape.size() == 4) reorder_layout(out[i], outputs[i]);
    return {};
  }

 private:
  static TensorView scratch_nchw(const TensorView& v, std::vector<Tensor>& scratch) {
    scratch.emplace_back(v.dtype, v.shape);
    return {.dtype = v.dtype, .shape = v.shape, .data = scratch.back().raw(), .layout = Layout::kNchw};
  }
  static TensorView to_nchw(const TensorView& v, std::vector<Tensor>& scratch) {
    TensorView copy = scratch_nchw(v, scratch);
    reorder_layout(v, copy);
    return copy;
  }
  std::unique_ptr<Kernel> inner_;
};

class FakeNhwcBackend final : public Backend {
 public:
  std::string_view name() const override { return "fake-nhwc"; }
  Status supports(const Graph& graph, const Node& node) const override {
    if (node.op != Op::kConv && node.op != Op::kMaxPool && node.op != Op::kRelu)
      return make_error(StatusCode::kUnsupported, node.describe(), ": fake-nhwc runs only Conv, MaxPool and Relu");
    return reference_->supports(graph, node);
  }
  LayoutPolicy layout_policy(const Graph&, const Node& node) const override {
    return node.op == Op::kRelu ? LayoutPolicy::kAny : LayoutPolicy::kNhwc;
  }
  StatusOr<std::unique_ptr<Kernel>> create_kernel(const Graph& graph, const Node& node) override {
    QATRT_ASSIGN_OR_RETURN(auto inner, reference_->create_kernel(graph, node));
    if (node.op == Op::kRelu) return inner;  // layout-oblivious
    return std::unique_ptr<Kernel>(std::make_unique<NhwcWrapperKernel>(std::move(inner)));
  }

 private:
  std::unique_ptr<Backend> reference_ = make_reference_backend();
};

}  // namespace qatrt::testing
