// Owning handles for device and page-locked host memory and for CUDA events, and CUDA errors as qatrt::Status.
// Host code.
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

#include <cuda_runtime.h>

#include "core/status.h"

namespace qatrt::cuda {

// OK for cudaSuccess; otherwise kInternal "<what>: <CUDA error name>: <description>".
Status cuda_status(cudaError_t error, std::string_view what);

// Bytes that Free releases on destruction. Move-only.
template <cudaError_t (*Free)(void*)>
class OwnedBytes {
 public:
  OwnedBytes() = default;
  OwnedBytes(OwnedBytes&& other) noexcept : data_(std::exchange(other.data_, nullptr)), bytes_(other.bytes_) {}
  OwnedBytes& operator=(OwnedBytes&& other) noexcept {
    if (this != &other) {
      if (data_) Free(data_);
      data_ = std::exchange(other.data_, nullptr);
      bytes_ = other.bytes_;
    }
    return *this;
  }
  OwnedBytes(const OwnedBytes&) = delete;
  OwnedBytes& operator=(const OwnedBytes&) = delete;
  ~OwnedBytes() {
    if (data_) Free(data_);
  }

  void* data() const { return data_; }
  template <typename T> T* as() const { return static_cast<T*>(data_); }
  size_t bytes() const { return bytes_; }

 protected:
  OwnedBytes(void* data, size_t bytes) : data_(data), bytes_(bytes) {}

 private:
  void* data_ = nullptr;
  size_t bytes_ = 0;
};

// cudaMalloc'd bytes.
class DeviceBuffer : public OwnedBytes<cudaFree> {
 public:
  DeviceBuffer() = default;
  static StatusOr<DeviceBuffer> allocate(size_t bytes);
  // A device copy of `bytes` host bytes (synchronous).
  static StatusOr<DeviceBuffer> upload(const void* host, size_t bytes);

 private:
  using OwnedBytes::OwnedBytes;
};

// cudaMallocHost'd (pinned) bytes: copies from and to them are true asynchronous DMA and can be captured in a
// CUDA graph.
class PinnedBuffer : public OwnedBytes<cudaFreeHost> {
 public:
  PinnedBuffer() = default;
  static StatusOr<PinnedBuffer> allocate(size_t bytes);

 private:
  using OwnedBytes::OwnedBytes;
};

// A CUDA event destroyed with this object (null until create()). Move-only.
class CudaEvent {
 public:
  CudaEvent() = default;
  CudaEvent(CudaEvent&& other) noexcept : event_(std::exchange(other.event_, nullptr)) {}
  CudaEvent& operator=(CudaEvent&& other) noexcept {
    std::swap(event_, other.event_);
    return *this;
  }
  CudaEvent(const CudaEvent&) = delete;
  CudaEvent& operator=(const CudaEvent&) = delete;
  ~CudaEvent() {
    if (event_) cudaEventDestroy(event_);
  }
  Status create() { return cuda_status(cudaEventCreate(&event_), "cudaEventCreate"); }
  cudaEvent_t get() const { return event_; }

 private:
  cudaEvent_t event_ = nullptr;
};

}  // namespace qatrt::cuda
