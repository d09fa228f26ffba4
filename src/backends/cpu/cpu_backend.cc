#include "backends/cpu/cpu_backend.h"

#include <omp.h>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dnnl_util.h"
#include "backends/reference/float16_refusal.h"

namespace qatrt {
namespace {

using cpu::KernelFamily;

const KernelFamily* family_for(Op op) {
  switch (op) {
    case Op::kFusedConv:
    case Op::kQConv: return &cpu::kConvFamily;
    case Op::kFusedGemm:
    case Op::kQGemm: return &cpu::kGemmFamily;
    case Op::kMaxPool: return &cpu::kMaxPoolFamily;
    case Op::kAveragePool:
    case Op::kGlobalAveragePool: return &cpu::kAveragePoolFamily;
    case Op::kQuantizeLinear:
    case Op::kDequantizeLinear:
    case Op::kRequantize: return &cpu::kQuantizeFamily;
    case Op::kAdd:
    case Op::kRelu: return &cpu::kElementwiseFamily;
    case Op::kSoftmax: return &cpu::kSoftmaxFamily;
    case Op::kFlatten:
    case Op::kReshape:
    case Op::kSqueeze:
    case Op::kUnsqueeze: return &cpu::kCopyFamily;
    case Op::kIdentity: return &cpu::kIdentityFamily;
    default: return nullptr;
  }
}

// oneDNN (OpenMP runtime) and the backend's own loops take their thread count from the calling thread's OpenMP
// setting, at primitive creation (oneDNN sizes its work split then) and at every run. Setting it around both
// keeps BackendOptions::threads in force whichever thread the runtime calls from.
void use_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

class ThreadedKernel final : public Kernel {
 public:
  ThreadedKernel(std::unique_ptr<Kernel> kernel, int threads) : kernel_(std::move(kernel)), threads_(threads) {}
  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    use_threads(threads_);
    return kernel_->run(inputs, outputs);
  }

 private:
  std::unique_ptr<Kernel> kernel_;
  int threads_;
};

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(const BackendOptions& options)
      : engine_(dnnl::engine::kind::cpu, 0), threads_(options.threads) {}

  std::string_view name() const override { return "cpu"; }

  Status supports(const Graph& graph, const Node& node) const override {
    QATRT_RETURN_IF_ERROR(reference::refuse_float16(graph, node, "cpu"));
    const KernelFamily* family = family_for(node.op);
    if (!family)
      return make_error(StatusCode::kUnsupported, node.describe(), ": the CPU backend has no kernel for ",
                        op_name(node.op), "; the reference backend runs it");
    if (node.inputs.empty() || node.inputs[0] == kNoValue || node.outputs.empty())
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": needs an input and an output");
    return family->supports(graph, node);
  }

  LayoutPolicy layout_policy(const Graph&, const Node& node) const override {
    const KernelFamily* family = family_for(node.op);
    return family ? family->layout : LayoutPolicy::kNchw;
  }

  StatusOr<std::unique_ptr<Kernel>> create_kernel(const Graph& graph, const Node& node) override {
    QATRT_RETURN_IF_ERROR(supports(graph, node));
    use_threads(threads_);
    QATRT_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel, family_for(node.op)->create(engine_, graph, node));
    return std::unique_ptr<Kernel>(new ThreadedKernel(std::move(kernel), threads_));
  }

 private:
  dnnl::engine engine_;
  int threads_;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options) {
  return std::make_unique<CpuBackend>(options);
}

}  // namespace qatrt
