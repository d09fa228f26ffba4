// The CUDA backend's kernel factories, one per op family (one .cc file each). Each check_* says whether the
// CUDA backend can run the node — in the device layout of device_layout.h — and why not, naming the node and
// the offending values; each make_* checks the same and then prepares the kernel once (weights packed and
// uploaded, scales formed). The kernels enqueue on `stream` and never synchronize it (a kernel may when it
// first runs, to time its variants: see QConv).
//
// At run time a kernel gets device views: activation inputs and outputs in the device layout, and empty views
// (data == nullptr) for constant inputs, which it read from the graph when it was made.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>

#include <cuda_runtime.h>

#include "backends/backend.h"
#include "backends/cuda/device_memory.h"

namespace qatrt::cuda {

using KernelOr = StatusOr<std::unique_ptr<Kernel>>;
class CudnnHandle;  // cudnn_handle.h

Status check_qconv(const Graph& graph, const Node& node);  // QConv, QGemm (a 1×1 convolution over [M,1,1,K])
KernelOr make_qconv(const Graph& graph, const Node& node, cudaStream_t stream);
// FusedConv, FusedGemm (float32, float16; FusedGemm as a 1×1 convolution) on cuDNN, through the backend's handle.
Status check_float_conv(const Graph& graph, const Node& node);
KernelOr make_float_conv(const Graph& graph, const Node& node, std::shared_ptr<CudnnHandle> cudnn);
Status check_cast(const Graph& graph, const Node& node);  // Cast float32 ↔ float16 (a --fp16 plan's boundary)
KernelOr make_cast(const Graph& graph, const Node& node, cudaStream_t stream);
Status check_quantize(const Graph& graph, const Node& node);  // QuantizeLinear, DequantizeLinear
KernelOr make_quantize(const Graph& graph, const Node& node, cudaStream_t stream);
Status check_pool(const Graph& graph, const Node& node);  // MaxPool (int8, float32, float16), GlobalAveragePool (float32, float16)
KernelOr make_pool(const Graph& graph, const Node& node, cudaStream_t stream);
Status check_softmax(const Graph& graph, const Node& node);  // Softmax over the innermost axis
KernelOr make_softmax(const Graph& graph, const Node& node, cudaStream_t stream);
// Identity, Flatten, Reshape, Squeeze, Unsqueeze when input and output are row-major on the device: the
// execution context gives the output the input's bytes; no kernel runs.
Status check_view(const Graph& graph, const Node& node);

// A kernel that needs device scratch memory while it runs (QConv's im2col rows, cuDNN's workspace): the execution context places
// workspace_bytes() in its arena, live during this kernel's step only, and hands the address over once with
// set_workspace() before the first run.
class KernelWithWorkspace : public Kernel {
 public:
  virtual size_t workspace_bytes() const = 0;
  virtual void set_workspace(void* device) = 0;
};

// A kernel that is one launch: `launch` enqueues on the stream; its error becomes a Status naming `what`.
using Launch = std::function<cudaError_t(std::span<const TensorView> in, std::span<const TensorView> out)>;
class LaunchKernel final : public Kernel {
 public:
  LaunchKernel(std::string what, Launch launch) : what_(std::move(what)), launch_(std::move(launch)) {}
  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    return cuda_status(launch_(inputs, outputs), what_);
  }

 private:
  std::string what_;
  Launch launch_;
};

inline KernelOr make_launch_kernel(const Node& node, Launch launch) {
  return std::unique_ptr<Kernel>(std::make_unique<LaunchKernel>(node.describe() + " on cuda", std::move(launch)));
}

}  // namespace qatrt::cuda
