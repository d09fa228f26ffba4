// The kernel families of the CPU backend. Each family answers three questions for its ops: can it run this
// node (supports), in which layout does it want 4-D activations (layout), and how to build the kernel once
// per context (create; called only after supports() returned OK). cpu_backend.cc maps ops to families.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <memory>

#include "backends/backend.h"

namespace qatrt::cpu {

// The element loops of the CPU kernels run in an OpenMP parallel region only above this many elements: below
// it, starting the region costs more than it saves.
constexpr int64_t kParallelThreshold = 1 << 14;

struct KernelFamily {
  Status (*supports)(const Graph& graph, const Node& node);
  LayoutPolicy layout;
  StatusOr<std::unique_ptr<Kernel>> (*create)(const dnnl::engine& engine, const Graph& graph, const Node& node);
};

// FusedConv, QConv: oneDNN convolution, NHWC (conv_kernel.cc).
extern const KernelFamily kConvFamily;
// FusedGemm, QGemm: oneDNN matmul (gemm_kernel.cc).
extern const KernelFamily kGemmFamily;
// MaxPool: oneDNN pooling, NHWC (max_pool_kernel.cc).
extern const KernelFamily kMaxPoolFamily;
// AveragePool, GlobalAveragePool: channel-vectorized loops, NHWC (average_pool_kernel.cc).
extern const KernelFamily kAveragePoolFamily;
// QuantizeLinear, DequantizeLinear, Requantize: per-tensor, layout-oblivious (quantize_kernel.cc).
extern const KernelFamily kQuantizeFamily;
// Add, Relu on same-shape operands, layout-oblivious (elementwise_kernel.cc).
extern const KernelFamily kElementwiseFamily;
// Softmax: oneDNN softmax on row-major data (softmax_kernel.cc).
extern const KernelFamily kSoftmaxFamily;
// Flatten, Reshape, Squeeze, Unsqueeze: byte copies of row-major data (copy_kernel.cc).
extern const KernelFamily kCopyFamily;
// Identity: a byte copy in any layout (copy_kernel.cc).
extern const KernelFamily kIdentityFamily;

}  // namespace qatrt::cpu
