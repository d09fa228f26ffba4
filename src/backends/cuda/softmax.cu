#include "backends/cuda/softmax.h"

#include "backends/cuda/float_access.cuh"

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

template <typename T>
__global__ void softmax_rows_kernel(const T* __restrict__ x, T* __restrict__ y, int cols) {
  __shared__ float scratch[kThreads / 32];
  const T* row = x + blockIdx.x * int64_t{cols};
  T* out = y + blockIdx.x * int64_t{cols};
  float max = -INFINITY;
  for (int i = threadIdx.x; i < cols; i += kThreads) max = fmaxf(max, load_float(row + i));
  max = block_reduce(max, scratch, [](float a, float b) { return fmaxf(a, b); });
  float sum = 0.0f;
  for (int i = threadIdx.x; i < cols; i += kThreads) sum += expf(load_float(row + i) - max);
  sum = block_reduce(sum, scratch, [](float a, float b) { return a + b; });
  for (int i = threadIdx.x; i < cols; i += kThreads) store_float(out + i, expf(load_float(row + i) - max) / sum);
}

template <typename T>
cudaError_t softmax_rows(const T* x, T* y, int64_t rows, int cols, cudaStream_t stream) {
  if (rows > 0x7fffffff) return cudaErrorInvalidValue;
  if (rows == 0) return cudaSuccess;
  softmax_rows_kernel<<<static_cast<unsigned>(rows), kThreads, 0, stream>>>(x, y, cols);
  return cudaGetLastError();
}

}  // namespace

cudaError_t softmax_rows_f32(const float* x, float* y, int64_t rows, int cols, cudaStream_t stream) {
  return softmax_rows(x, y, rows, cols, stream);
}

cudaError_t softmax_rows_f16(const __half* x, __half* y, int64_t rows, int cols, cudaStream_t stream) {
  return softmax_rows(x, y, rows, cols, stream);
}

}  // namespace qatrt::cuda
