#include "backends/cuda/device_memory.h"

#include <string>

namespace qatrt::cuda {

Status cuda_status(cudaError_t error, std::string_view what) {
  if (error == cudaSuccess) return {};
  return make_error(StatusCode::kInternal, what, ": ", cudaGetErrorName(error), ": ", cudaGetErrorString(error));
}

StatusOr<DeviceBuffer> DeviceBuffer::allocate(size_t bytes) {
  void* data = nullptr;
  if (bytes > 0)
    QATRT_RETURN_IF_ERROR(cuda_status(cudaMalloc(&data, bytes), "cudaMalloc of " + std::to_string(bytes) + " bytes"));
  return DeviceBuffer(data, bytes);
}

StatusOr<DeviceBuffer> DeviceBuffer::upload(const void* host, size_t bytes) {
  QATRT_ASSIGN_OR_RETURN(DeviceBuffer buffer, allocate(bytes));
  if (bytes > 0)
    QATRT_RETURN_IF_ERROR(cuda_status(cudaMemcpy(buffer.data(), host, bytes, cudaMemcpyHostToDevice), "upload"));
  return buffer;
}

StatusOr<PinnedBuffer> PinnedBuffer::allocate(size_t bytes) {
  void* data = nullptr;
  if (bytes > 0)
    QATRT_RETURN_IF_ERROR(
        cuda_status(cudaMallocHost(&data, bytes), "cudaMallocHost of " + std::to_string(bytes) + " bytes"));
  return PinnedBuffer(data, bytes);
}

}  // namespace qatrt::cuda
