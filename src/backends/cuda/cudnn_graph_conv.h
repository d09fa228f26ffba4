// A float32 FusedConv or FusedGemm as one cuDNN graph (the backend API of cudnn_graph.h, which cudnn-frontend
// and PyTorch use): it reaches engines the legacy cudnnConvolution* calls do not (float_conv_node.cc picks
// between the two per layer by timing).
//
// The graph, NHWC float32 tensors with their strides, all in the order of the reference backend's epilogue:
//   conv(x, w) → + bias[1,K,1,1] → + residual → relu → y
// a convolution forward operation (cross-correlation, float compute) then one pointwise operation per term
// the layer has (ADD, ADD, RELU_FWD), the results between them virtual tensors. A layer with none of the three
// is the convolution alone, and so is every layer's graph when GraphOps::kConvOnly asks for it: the caller then
// adds bias, residual and relu itself (float_conv_node.cc, with bias_residual_relu.h). cuDNN offers plain-FP32
// engines for the bare convolution that it does not for the fused graphs.
//
// Engines: heuristics mode A, then the fallback list's engines that mode A did not name. An engine whose
// numerical notes include TENSOR_CORE (how TF32 shows for float32 data), DOWN_CONVERT_INPUTS or
// REDUCED_PRECISION_REDUCTION is rejected — an FP32 plan stays the honest FP32 baseline — and so is one whose
// workspace exceeds the cap. The first kGraphCandidates configurations whose execution plans finalize are timed
// on the device (CudnnHandle::time_ms) and the fastest is kept.
//
// A run binds the device pointers in a variant pack made for that call and enqueues the plan on the handle's
// stream: no synchronization, so it can be captured in a CUDA graph.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <cudnn.h>

#include "backends/cuda/cudnn_handle.h"
#include "core/dtype.h"

namespace qatrt::cuda {

// A float layer's convolution as both cuDNN paths see it. FusedGemm [M,K]·[N,K]ᵀ is the 1×1 convolution of
// x [M,1,1,K] with w [N,1,1,K]. Pads are symmetric (the node reader refuses anything else).
struct FloatConvProblem {
  DType dtype = DType::kFloat32;
  int n = 1, c = 1, h = 1, w = 1;  // input, NHWC
  int k = 1, r = 1, s = 1, group = 1;
  int stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  int p = 1, q = 1;  // output height and width
  bool relu = false, bias = false, residual = false;

  std::string text() const;
};

// The device operands of one run: x NHWC, w KRSC, bias [K] (zeros when the layer has none; the graph reads it
// only when it has one), residual NHWC of y's shape (null when the layer has none), y NHWC.
struct FloatConvOperands {
  const void* x = nullptr;
  const void* w = nullptr;
  const void* bias = nullptr;
  const void* residual = nullptr;
  void* y = nullptr;
};

// A cuDNN backend descriptor (cudnnBackendDescriptor_t) destroyed with this object. Move-only.
class BackendDescriptor {
 public:
  BackendDescriptor() = default;
  BackendDescriptor(BackendDescriptor&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  BackendDescriptor& operator=(BackendDescriptor&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  BackendDescriptor(const BackendDescriptor&) = delete;
  BackendDescriptor& operator=(const BackendDescriptor&) = delete;
  ~BackendDescriptor();

  static StatusOr<BackendDescriptor> create(cudnnBackendDescriptorType_t type);
  cudnnBackendDescriptor_t get() const { return handle_; }
  // cudnnBackendSetAttribute of `count` values of `type`; the error names the attribute by number.
  Status set(cudnnBackendAttributeName_t name, cudnnBackendAttributeType_t type, int64_t count,
             const void* values);
  Status set(cudnnBackendAttributeName_t name, const BackendDescriptor& value);
  Status set(cudnnBackendAttributeName_t name, const std::vector<int64_t>& values);
  Status finalize();

 private:
  cudnnBackendDescriptor_t handle_ = nullptr;
};

// Which operations a graph holds: the whole layer (convolution and its pointwise terms), or the convolution
// alone, y written by it.
enum class GraphOps { kFused, kConvOnly };

// The execution plan chosen for one float32 problem, shared by every layer of that problem (CudnnHandle).
class GraphConvPlan {
 public:
  static constexpr int kGraphCandidates = 8;  // execution plans timed per problem

  // Builds the graph of `p` (float32) holding `ops`, finalizes candidate plans and keeps the fastest, timing
  // each on `timing` (device buffers of the problem's shapes; their contents do not matter). An error — naming
  // the problem, what was tried and cuDNN's last message — when no engine is left.
  static StatusOr<std::shared_ptr<const GraphConvPlan>> create(const CudnnHandle& handle, const FloatConvProblem& p,
                                                              GraphOps ops, const FloatConvOperands& timing,
                                                              size_t max_workspace_bytes);

  GraphOps ops() const { return ops_; }
  size_t workspace_bytes() const { return workspace_bytes_; }
  // The plan's own time: for kConvOnly, the convolution without the caller's epilogue.
  float measured_ms() const { return measured_ms_; }
  // "graph engine <global index>, fastest of <n> plans" ("conv-only graph engine ..." for kConvOnly) — which
  // engine runs, for reports.
  std::string text() const;

  // Enqueues the plan on the handle's stream with `operands` bound (a kConvOnly plan binds x, w and y only);
  // `workspace` holds workspace_bytes().
  Status run(cudnnHandle_t handle, const FloatConvOperands& operands, void* workspace) const;

 private:
  GraphConvPlan() = default;
  StatusOr<BackendDescriptor> variant_pack(const FloatConvOperands& operands, void* workspace) const;

  GraphOps ops_ = GraphOps::kFused;
  bool bias_ = false, residual_ = false;  // whether the graph reads them
  std::deque<BackendDescriptor> graph_;  // the tensors, operations and operation graph the plan was made from
  BackendDescriptor config_, plan_;
  int64_t engine_ = -1;
  int timed_ = 0;
  size_t workspace_bytes_ = 0;
  float measured_ms_ = 0;
};

}  // namespace qatrt::cuda
