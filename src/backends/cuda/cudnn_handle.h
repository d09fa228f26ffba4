// cuDNN for the CUDA backend's float layers: cuDNN errors as qatrt::Status, owning descriptor handles, and the
// one cuDNN handle a backend shares between its kernels (bound to the backend's stream; the kernels keep it
// alive with a shared_ptr, so it outlives the last of them whatever order they are destroyed in). The handle
// also remembers how each float convolution problem runs once that is chosen, and times candidates on its
// stream for that choice (float_conv_node.cc).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <cuda_runtime.h>
#include <cudnn.h>

#include "core/status.h"

namespace qatrt::cuda {

// OK for CUDNN_STATUS_SUCCESS; otherwise kInternal "<what>: <cuDNN error string>".
Status cudnn_status(cudnnStatus_t status, std::string_view what);

// A cuDNN descriptor destroyed with this object. Move-only.
template <typename T, cudnnStatus_t (*Create)(T*), cudnnStatus_t (*Destroy)(T)>
class CudnnDescriptor {
 public:
  CudnnDescriptor() = default;
  CudnnDescriptor(CudnnDescriptor&& other) noexcept : handle_(std::exchange(other.handle_, nullptr)) {}
  CudnnDescriptor& operator=(CudnnDescriptor&& other) noexcept {
    std::swap(handle_, other.handle_);
    return *this;
  }
  ~CudnnDescriptor() {
    if (handle_) Destroy(handle_);
  }
  Status create() { return cudnn_status(Create(&handle_), "creating a cuDNN descriptor"); }
  T get() const { return handle_; }

 private:
  T handle_ = nullptr;
};

using TensorDescriptor =
    CudnnDescriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor>;
using FilterDescriptor =
    CudnnDescriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor>;
using ConvolutionDescriptor = CudnnDescriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor,
                                              cudnnDestroyConvolutionDescriptor>;
using ActivationDescriptor = CudnnDescriptor<cudnnActivationDescriptor_t, cudnnCreateActivationDescriptor,
                                             cudnnDestroyActivationDescriptor>;

class GraphConvPlan;  // cudnn_graph_conv.h

// How one float convolution problem runs, once chosen: a graph-API execution plan (float32 only), or — when
// `graph` is null — cuDNN's fused legacy call with `legacy.algo` under `legacy.mathType`, needing
// `legacy.memory` workspace bytes.
struct FloatConvChoice {
  std::shared_ptr<const GraphConvPlan> graph;
  cudnnConvolutionFwdAlgoPerf_t legacy{};
};

// The cuDNN handle of one backend (one stream), and the float convolutions it has chosen so far, by problem
// (a network repeats its layer shapes: ResNet-50's 53 convolutions are 23 distinct problems).
class CudnnHandle {
 public:
  static StatusOr<std::shared_ptr<CudnnHandle>> create(cudaStream_t stream);
  CudnnHandle(const CudnnHandle&) = delete;
  CudnnHandle& operator=(const CudnnHandle&) = delete;
  ~CudnnHandle();

  cudnnHandle_t get() const { return handle_; }
  cudaStream_t stream() const { return stream_; }
  // The choice made for `problem` (any text naming every parameter of the layer and how it was chosen), if any.
  const FloatConvChoice* chosen(const std::string& problem) const;
  void remember(const std::string& problem, FloatConvChoice choice);

  // The mean device time in milliseconds of what `launch` enqueues on this handle's stream: one warm-up launch,
  // then kTimedLaunches between two CUDA events. Synchronizes the stream, so it is for choosing a candidate when
  // a kernel is made, never for running one.
  static constexpr int kTimedLaunches = 5;
  StatusOr<float> time_ms(const std::function<Status()>& launch) const;

 private:
  CudnnHandle(cudnnHandle_t handle, cudaStream_t stream) : handle_(handle), stream_(stream) {}
  cudnnHandle_t handle_;
  cudaStream_t stream_;
  std::map<std::string, FloatConvChoice> chosen_;
};

}  // namespace qatrt::cuda
