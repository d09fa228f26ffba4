// Host-side helpers shared by the INT8 convolution launchers (kernel.cuh, sm90_kernel.cuh).
#pragma once

#include <atomic>
#include <cstdint>

#include <cuda_runtime.h>

namespace qatrt::cuda::conv_int8 {

__host__ __device__ inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Above 48 KB a kernel must opt in to dynamic shared memory. The attribute belongs to the kernel on one device
// and stays set, so it is set once per device rather than before every launch.
template <auto Kernel>
cudaError_t allow_shared_memory(int bytes) {
  static std::atomic<uint64_t> devices_done{0};
  int device = 0;
  cudaError_t err = cudaGetDevice(&device);
  if (err != cudaSuccess) return err;
  const uint64_t bit = device < 64 ? uint64_t{1} << device : 0;
  if (bit & devices_done.load(std::memory_order_acquire)) return cudaSuccess;
  err = cudaFuncSetAttribute(Kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, bytes);
  if (err == cudaSuccess) devices_done.fetch_or(bit, std::memory_order_release);
  return err;
}

}  // namespace qatrt::cuda::conv_int8
