#include "backends/cuda/cast.h"

#include "backends/cuda/float_access.cuh"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;

template <typename From, typename To>
__global__ void cast_kernel(const From* __restrict__ x, To* __restrict__ y, int64_t count) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x)
    store_float(y + i, load_float(x + i));
}

template <typename From, typename To>
cudaError_t cast(const From* x, To* y, int64_t count, cudaStream_t stream) {
  if (count == 0) return cudaSuccess;
  const int64_t blocks = (count + kThreads - 1) / kThreads;
  cast_kernel<<<static_cast<unsigned>(blocks < 65535 ? blocks : 65535), kThreads, 0, stream>>>(x, y, count);
  return cudaGetLastError();
}

}  // namespace

cudaError_t cast_f32_to_f16(const float* x, __half* y, int64_t count, cudaStream_t stream) {
  return cast(x, y, count, stream);
}

cudaError_t cast_f16_to_f32(const __half* x, float* y, int64_t count, cudaStream_t stream) {
  return cast(x, y, count, stream);
}

}  // namespace qatrt::cuda
