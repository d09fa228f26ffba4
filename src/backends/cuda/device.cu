#include "backends/cuda/device.h"

#include <cuda_runtime.h>

namespace qatrt::cuda {

DeviceInfo query_devices() {
  DeviceInfo info;
  cudaError_t err = cudaGetDeviceCount(&info.count);
  if (err != cudaSuccess) {
    info.count = 0;
    info.error = cudaGetErrorString(err);
    return info;
  }
  if (info.count == 0) {
    info.error = "no CUDA device visible";
    return info;
  }
  cudaDeviceProp prop{};
  if (cudaGetDeviceProperties(&prop, 0) == cudaSuccess) {
    info.name = prop.name;
    info.sm_major = prop.major;
    info.sm_minor = prop.minor;
  }
  return info;
}

}  // namespace qatrt::cuda
