// The run-time half of FusedConv / QConv / FusedGemm / QGemm: a oneDNN primitive created once, its weights and
// bias packed once, and the runtime's x / residual / y buffers bound on every run.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <string>
#include <unordered_map>

#include "backends/backend.h"
#include "backends/cpu/fused_epilogue.h"

namespace qatrt::cpu {

class FusedKernel final : public Kernel {
 public:
  // user_weights_desc describes the constant weight tensor as stored in the graph; it is reordered into the
  // primitive's preferred weight layout here, once.
  static StatusOr<std::unique_ptr<Kernel>> create(const dnnl::engine& engine, const Graph& graph, const Node& node,
                                                  const dnnl::primitive_desc& primitive_desc,
                                                  const dnnl::memory::desc& user_weights_desc,
                                                  const EpiloguePlan& plan, Layout activation_layout);

  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override;

 private:
  FusedKernel() = default;

  std::string node_;
  Layout layout_ = Layout::kNchw;
  dnnl::stream stream_;
  dnnl::primitive primitive_;
  dnnl::memory src_, dst_, residual_;     // bound to runtime buffers on each run
  dnnl::memory weights_, bias_, src_zero_point_;  // owned, filled at creation
  std::unordered_map<int, dnnl::memory> args_;
};

}  // namespace qatrt::cpu
