#include "backends/cuda/quantize.h"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;

// x / s is computed with a true division (not x * (1/s)) so that ties land exactly where the CPU's do.
__global__ void quantize_s8_kernel(const float* __restrict__ x, int8_t* __restrict__ q, int64_t count, float scale,
                                   int32_t zero_point) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    float r = __fdiv_rn(x[i], scale);
    float v = rintf(r) + static_cast<float>(zero_point);  // rintf: round half to even
    v = fminf(fmaxf(v, -128.0f), 127.0f);
    q[i] = static_cast<int8_t>(v);
  }
}

__global__ void dequantize_s8_kernel(const int8_t* __restrict__ q, float* __restrict__ x, int64_t count, float scale,
                                     int32_t zero_point) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x)
    x[i] = __fmul_rn(static_cast<float>(static_cast<int32_t>(q[i]) - zero_point), scale);
}

unsigned grid_for(int64_t count) {
  int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
}

}  // namespace

cudaError_t quantize_s8(const float* x, int8_t* q, int64_t count, float scale, int32_t zero_point, cudaStream_t stream) {
  quantize_s8_kernel<<<grid_for(count), kThreads, 0, stream>>>(x, q, count, scale, zero_point);
  return cudaGetLastError();
}

cudaError_t dequantize_s8(const int8_t* q, float* x, int64_t count, float scale, int32_t zero_point,
                          cudaStream_t stream) {
  dequantize_s8_kernel<<<grid_for(count), kThreads, 0, stream>>>(q, x, count, scale, zero_point);
  return cudaGetLastError();
}

}  // namespace qatrt::cuda
