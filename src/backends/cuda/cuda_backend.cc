#include "backends/cuda/cuda_backend.h"

#include "backends/cuda/cudnn_handle.h"
#include "backends/cuda/node_kernels.h"
#include "ir/exact_rounding.h"

namespace qatrt::cuda {
namespace {

// An --exact plan's rounding nodes need double-precision epilogues (src/ir/ops.h, "Exact rounding"); the GPU
// kernels round in float32, so such a node is refused rather than run with different roundings.
Status refuse_exact_rounding(const Node& node) {
  if (!exact_rounding(node)) return {};
  return make_error(StatusCode::kUnsupported, node.describe(),
                    ": built with --exact (exact rounding); the CUDA backend rounds in float32 — run this plan on "
                    "the CPU or reference backend, or rebuild without --exact");
}

class CudaBackend final : public Backend {
 public:
  explicit CudaBackend(cudaStream_t stream) : stream_(stream) {}

  std::string_view name() const override { return "cuda"; }

  Status supports(const Graph& graph, const Node& node) const override {
    QATRT_RETURN_IF_ERROR(refuse_exact_rounding(node));
    if (is_view_op(node.op)) return check_view(graph, node);
    switch (node.op) {
      case Op::kQConv:
      case Op::kQGemm: return check_qconv(graph, node);
      case Op::kFusedConv:
      case Op::kFusedGemm: return check_float_conv(graph, node);
      case Op::kCast: return check_cast(graph, node);
      case Op::kQuantizeLinear:
      case Op::kDequantizeLinear: return check_quantize(graph, node);
      case Op::kMaxPool:
      case Op::kGlobalAveragePool: return check_pool(graph, node);
      case Op::kSoftmax: return check_softmax(graph, node);
      default:
        return make_error(StatusCode::kUnsupported, node.describe(), ": no CUDA kernel for ", op_name(node.op),
                          " (the GPU runs QConv, QGemm, FusedConv, FusedGemm, QuantizeLinear, "
                          "DequantizeLinear, Cast, MaxPool, GlobalAveragePool, Softmax and view ops); build the plan so that it fuses into those, or "
                          "use the cpu backend");
    }
  }

  LayoutPolicy layout_policy(const Graph&, const Node&) const override { return LayoutPolicy::kNhwc; }

  StatusOr<std::unique_ptr<Kernel>> create_kernel(const Graph& graph, const Node& node) override {
    QATRT_RETURN_IF_ERROR(refuse_exact_rounding(node));
    switch (node.op) {
      case Op::kQConv:
      case Op::kQGemm: return make_qconv(graph, node, stream_);
      case Op::kFusedConv:
      case Op::kFusedGemm: {
        if (!cudnn_) {
          QATRT_ASSIGN_OR_RETURN(cudnn_, CudnnHandle::create(stream_));
        }
        return make_float_conv(graph, node, cudnn_);
      }
      case Op::kQuantizeLinear:
      case Op::kDequantizeLinear: return make_quantize(graph, node, stream_);
      case Op::kMaxPool:
      case Op::kGlobalAveragePool: return make_pool(graph, node, stream_);
      case Op::kSoftmax: return make_softmax(graph, node, stream_);
      case Op::kCast: return make_cast(graph, node, stream_);
      default: break;
    }
    QATRT_RETURN_IF_ERROR(supports(graph, node));
    return make_error(StatusCode::kInvalidArgument, node.describe(),
                      ": a view has no kernel; the CUDA execution context aliases its output to its input");
  }

 private:
  cudaStream_t stream_;
  std::shared_ptr<CudnnHandle> cudnn_;  // made with the first float layer's kernel; shared by all of them
};

}  // namespace

std::unique_ptr<Backend> make_cuda_backend(cudaStream_t stream) { return std::make_unique<CudaBackend>(stream); }

bool is_view_op(Op op) {
  return op == Op::kIdentity || op == Op::kFlatten || op == Op::kReshape || op == Op::kSqueeze ||
         op == Op::kUnsqueeze;
}

}  // namespace qatrt::cuda
