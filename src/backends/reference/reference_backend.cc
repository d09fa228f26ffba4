#include "backends/reference/reference_backend.h"

#include "backends/reference/float16_refusal.h"
#include "backends/reference/kernels.h"

namespace qatrt {
namespace {

reference::KernelOr create_for_op(const Graph& graph, const Node& node) {
  using namespace reference;
  switch (node.op) {
    case Op::kConv:
    case Op::kFusedConv: return make_conv_kernel(graph, node);
    case Op::kQConv: return make_qconv_kernel(graph, node);
    case Op::kGemm:
    case Op::kFusedGemm: return make_gemm_kernel(graph, node);
    case Op::kMatMul: return make_matmul_kernel(graph, node);
    case Op::kQGemm: return make_qgemm_kernel(graph, node);
    case Op::kQuantizeLinear:
    case Op::kDequantizeLinear:
    case Op::kRequantize: return make_quantize_kernel(graph, node);
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv: return make_binary_kernel(graph, node);
    case Op::kRelu:
    case Op::kClip: return make_activation_kernel(graph, node);
    case Op::kMaxPool:
    case Op::kAveragePool:
    case Op::kGlobalAveragePool: return make_pool_kernel(graph, node);
    case Op::kIdentity:
    case Op::kReshape:
    case Op::kFlatten:
    case Op::kSqueeze:
    case Op::kUnsqueeze: return make_copy_kernel(graph, node);
    case Op::kTranspose: return make_transpose_kernel(graph, node);
    case Op::kPad: return make_pad_kernel(graph, node);
    case Op::kConcat: return make_concat_kernel(graph, node);
    case Op::kBatchNormalization: return make_batch_norm_kernel(graph, node);
    case Op::kSoftmax: return make_softmax_kernel(graph, node);
    case Op::kCast: return make_cast_kernel(graph, node);
    case Op::kCount: break;
  }
  return make_error(StatusCode::kUnsupported, node.describe(), ": no reference kernel for this op");
}

Status check_static_shapes(const Graph& graph, const Node& node) {
  for (const auto* ids : {&node.inputs, &node.outputs})
    for (ValueId id : *ids)
      if (id != kNoValue && !shape_is_static(graph.value(id).shape))
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": value '", graph.value(id).name,
                          "' has shape ", shape_to_string(graph.value(id).shape),
                          "; kernels need concrete shapes (bind the batch and run shape inference)");
  return {};
}

class ReferenceBackend final : public Backend {
 public:
  std::string_view name() const override { return "reference"; }

  // A reference kernel checks everything it needs when it is created and creation is cheap (it captures
  // attributes and shares constant storage), so "supported" means exactly "a kernel can be created".
  Status supports(const Graph& graph, const Node& node) const override {
    return create_kernel_for(graph, node).status();
  }

  LayoutPolicy layout_policy(const Graph& graph, const Node& node) const override {
    switch (node.op) {
      case Op::kRelu:
      case Op::kClip:
      case Op::kIdentity:
      case Op::kCast:
      case Op::kQuantizeLinear:  // per-axis parameters find the channel from the buffer's layout
      case Op::kDequantizeLinear:
      case Op::kRequantize: return LayoutPolicy::kAny;
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
        // Elementwise over identical shapes pairs elements by position in any layout; broadcasting does not.
        return graph.value(node.inputs[0]).shape == graph.value(node.inputs[1]).shape ? LayoutPolicy::kAny
                                                                                        : LayoutPolicy::kNchw;
      default: return LayoutPolicy::kNchw;
    }
  }

  StatusOr<std::unique_ptr<Kernel>> create_kernel(const Graph& graph, const Node& node) override {
    return create_kernel_for(graph, node);
  }

 private:
  static StatusOr<std::unique_ptr<Kernel>> create_kernel_for(const Graph& graph, const Node& node) {
    if (node.inputs.empty() || node.outputs.empty() || node.inputs[0] == kNoValue)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": needs a first input and an output");
    QATRT_RETURN_IF_ERROR(check_static_shapes(graph, node));
    QATRT_RETURN_IF_ERROR(reference::refuse_float16(graph, node, "reference"));
    return create_for_op(graph, node);
  }
};

}  // namespace

std::unique_ptr<Backend> make_reference_backend() { return std::make_unique<ReferenceBackend>(); }

}  // namespace qatrt
