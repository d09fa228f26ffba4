// Owning handles for device and page-locked host memory, and CUDA errors as qatrt::Status. Host code.
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

}  // namespace qatrt::cuda
