#include "backends/cuda/softmax.h"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;

// Reduces `value` over the block with `op`; every thread gets the result. `scratch` holds one float per warp.
template <typename Op>
__device__ float block_reduce(float value, float* scratch, Op op) {
  for (int offset = 16; offset > 0; offset /= 2) value = op(value, __shfl_xor_sync(0xffffffffu, value, offset));
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  if (lane == 0) scratch[warp] = value;
  __syncthreads();
  value = scratch[0];
  for (int i = 1; i < kThreads / 32; ++i) value = op(value, scratch[i]);
  __syncthreads();  // scratch is reused by the next reduction
  return value;
}

__global__ void softmax_rows_kernel(const float* __restrict__ x, float* __restrict__ y, int cols) {
  __shared__ float scratch[kThreads / 32];
  const float* row = x + blockIdx.x * int64_t{cols};
  float* out = y + blockIdx.x * int64_t{cols};
  float max = -INFINITY;
  for (int i = threadIdx.x; i < cols; i += kThreads) max = fmaxf(max, row[i]);
  max = block_reduce(max, scratch, [](float a, float b) { return fmaxf(a, b); });
  float sum = 0.0f;
  for (int i = threadIdx.x; i < cols; i += kThreads) sum += expf(row[i] - max);
  sum = block_reduce(sum, scratch, [](float a, float b) { return a + b; });
  for (int i = threadIdx.x; i < cols; i += kThreads) out[i] = expf(row[i] - max) / sum;
}

}  // namespace

cudaError_t softmax_rows_f32(const float* x, float* y, int64_t rows, int cols, cudaStream_t stream) {
  if (rows > 0x7fffffff) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  softmax_rows_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(x, y, cols);
  return cudaGetLastError();
}

}  // namespace qatrt::cuda
