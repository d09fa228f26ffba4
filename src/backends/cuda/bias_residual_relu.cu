#include "backends/cuda/bias_residual_relu.h"

#include <algorithm>

#include "backends/cuda/float_access.cuh"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;
// 4096 blocks of 256 threads: about 4 waves of an H200's resident threads (132 SMs × 2048); larger tensors loop.
constexpr int64_t kMaxBlocks = 4096;

// V consecutive elements of one row, moved as one 16-byte access when V·sizeof(T) = 16.
template <typename T, int V>
struct alignas(sizeof(T) * V) Vector {
  T v[V];
};

// Each thread keeps one channel vector for its whole loop: the stride is a multiple of the row's vector count,
// so the channel (and its bias) is found once, with no 64-bit division per element.
template <typename T, int V>
__global__ void bias_residual_relu_kernel(T* __restrict__ y, const T* __restrict__ bias,
                                          const T* __restrict__ residual, int64_t vectors, int row_vectors,
                                          bool relu) {
  using Vec = Vector<T, V>;
  const int64_t thread = int64_t{blockIdx.x} * blockDim.x + threadIdx.x;
  const int64_t stride = int64_t{gridDim.x} * blockDim.x / row_vectors * row_vectors;
  if (thread >= stride) return;
  const int channel_vector = static_cast<int>(thread % row_vectors);
  Vec b{};
  if (bias) b = reinterpret_cast<const Vec*>(bias)[channel_vector];
  for (int64_t i = thread; i < vectors; i += stride) {
    Vec out = reinterpret_cast<Vec*>(y)[i];
    Vec r{};
    if (residual) r = reinterpret_cast<const Vec*>(residual)[i];
#pragma unroll
    for (int j = 0; j < V; ++j) {
      float v = load_float(&out.v[j]);
      if (bias) v += load_float(&b.v[j]);
      if (residual) v += load_float(&r.v[j]);
      if (relu) v = v < 0.0f ? 0.0f : v;
      store_float(&out.v[j], v);
    }
    reinterpret_cast<Vec*>(y)[i] = out;
  }
}

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

template <typename T, int V>
cudaError_t launch(T* y, const T* bias, const T* residual, int64_t rows, int channels, bool relu,
                   cudaStream_t stream) {
  const int row_vectors = channels / V;
  const int64_t vectors = rows * row_vectors;
  // At least one thread per channel vector, so that the stride is never 0.
  const int64_t blocks = std::max(std::min((vectors + kThreads - 1) / kThreads, kMaxBlocks),
                                  int64_t{(row_vectors + kThreads - 1) / kThreads});
  bias_residual_relu_kernel<T, V>
      <<<static_cast<unsigned>(blocks), kThreads, 0, stream>>>(y, bias, residual, vectors, row_vectors, relu);
  return cudaGetLastError();
}

template <typename T>
cudaError_t add(T* y, const T* bias, const T* residual, int64_t rows, int channels, bool relu,
                cudaStream_t stream) {
  if (rows <= 0 || channels <= 0) return cudaSuccess;
  constexpr int kWidth = 16 / sizeof(T);
  const bool vectorized = channels % kWidth == 0 && aligned16(y) && (!bias || aligned16(bias)) &&
                          (!residual || aligned16(residual));
  return vectorized ? launch<T, kWidth>(y, bias, residual, rows, channels, relu, stream)
                    : launch<T, 1>(y, bias, residual, rows, channels, relu, stream);
}

}  // namespace

cudaError_t add_bias_residual_relu(float* y, const float* bias, const float* residual, int64_t rows, int channels,
                                   bool relu, cudaStream_t stream) {
  return add(y, bias, residual, rows, channels, relu, stream);
}

cudaError_t add_bias_residual_relu(__half* y, const __half* bias, const __half* residual, int64_t rows,
                                   int channels, bool relu, cudaStream_t stream) {
  return add(y, bias, residual, rows, channels, relu, stream);
}

}  // namespace qatrt::cuda
