// The reference kernel factories, one per op family (one .cc file each). Each reads and checks everything it
// needs from the node at creation, so "can the reference backend run this node?" is answered by trying to
// create its kernel. Shapes in the graph are concrete.
#pragma once

#include <memory>

#include "backends/backend.h"
#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::reference {

using KernelOr = StatusOr<std::unique_ptr<Kernel>>;

KernelOr make_conv_kernel(const Graph& graph, const Node& node);        // Conv, FusedConv
KernelOr make_qconv_kernel(const Graph& graph, const Node& node);       // QConv
KernelOr make_gemm_kernel(const Graph& graph, const Node& node);        // Gemm, FusedGemm
KernelOr make_matmul_kernel(const Graph& graph, const Node& node);      // MatMul
KernelOr make_qgemm_kernel(const Graph& graph, const Node& node);       // QGemm
KernelOr make_quantize_kernel(const Graph& graph, const Node& node);    // QuantizeLinear, DequantizeLinear, Requantize
KernelOr make_binary_kernel(const Graph& graph, const Node& node);      // Add, Sub, Mul, Div
KernelOr make_activation_kernel(const Graph& graph, const Node& node);  // Relu, Clip
KernelOr make_pool_kernel(const Graph& graph, const Node& node);        // MaxPool, AveragePool, GlobalAveragePool
KernelOr make_copy_kernel(const Graph& graph, const Node& node);        // Identity, Reshape, Flatten, Squeeze, Unsqueeze
KernelOr make_transpose_kernel(const Graph& graph, const Node& node);   // Transpose
KernelOr make_pad_kernel(const Graph& graph, const Node& node);         // Pad
KernelOr make_concat_kernel(const Graph& graph, const Node& node);      // Concat
KernelOr make_batch_norm_kernel(const Graph& graph, const Node& node);  // BatchNormalization
KernelOr make_softmax_kernel(const Graph& graph, const Node& node);     // Softmax
KernelOr make_cast_kernel(const Graph& graph, const Node& node);        // Cast (float32 ↔ float16)

}  // namespace qatrt::reference
