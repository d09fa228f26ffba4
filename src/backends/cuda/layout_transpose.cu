#include "backends/cuda/layout_transpose.h"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;

template <typename T>
__global__ void nchw_to_nhwc_kernel(const T* __restrict__ x, T* __restrict__ y, int c, int64_t pixels, int padded_c,
                                    int64_t count) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int ch = static_cast<int>(i % padded_c);
    const int64_t pixel = i / padded_c, image = pixel / pixels;
    y[i] = ch < c ? x[(image * c + ch) * pixels + pixel % pixels] : T{0};
  }
}

}  // namespace

cudaError_t nchw_to_nhwc(const void* x, void* y, int n, int c, int64_t pixels, int padded_c, int element_size,
                         cudaStream_t stream) {
  const int64_t count = int64_t{n} * pixels * padded_c;
  int64_t blocks = (count + kThreads - 1) / kThreads;
  const unsigned grid = static_cast<unsigned>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
  if (padded_c < c) return cudaErrorInvalidValue;
  if (element_size == 1)
    nchw_to_nhwc_kernel<<<grid, kThreads, 0, stream>>>(static_cast<const uint8_t*>(x), static_cast<uint8_t*>(y), c,
                                                       pixels, padded_c, count);
  else if (element_size == 4)
    nchw_to_nhwc_kernel<<<grid, kThreads, 0, stream>>>(static_cast<const uint32_t*>(x), static_cast<uint32_t*>(y), c,
                                                       pixels, padded_c, count);
  else
    return cudaErrorInvalidValue;
  return cudaGetLastError();
}

}  // namespace qatrt::cuda
