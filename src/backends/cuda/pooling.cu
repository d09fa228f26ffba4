#include "backends/cuda/pooling.h"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;

unsigned grid_for(int64_t count) {
  int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
}

// Signed byte-wise max of 16 channels at once (four __vmaxs4).
__device__ __forceinline__ uint4 max16(uint4 a, uint4 b) {
  return make_uint4(__vmaxs4(a.x, b.x), __vmaxs4(a.y, b.y), __vmaxs4(a.z, b.z), __vmaxs4(a.w, b.w));
}

// One thread per 16 channels of one output pixel: every tap is one 16-byte load, and a warp reads 512
// neighbouring bytes of one input pixel row per tap.
__global__ void max_pool_s8_nhwc_kernel(const int8_t* __restrict__ x, int8_t* __restrict__ y, PoolGeometry g) {
  const int groups = g.c / 16;
  const int64_t count = int64_t{g.n} * g.p * g.q * groups;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int group = static_cast<int>(i % groups);
    int64_t pixel = i / groups;
    const int oq = static_cast<int>(pixel % g.q);
    const int op = static_cast<int>(pixel / g.q % g.p);
    const int64_t image = pixel / (int64_t{g.q} * g.p);
    uint4 best = make_uint4(0x80808080u, 0x80808080u, 0x80808080u, 0x80808080u);  // −128 in every byte
    for (int th = 0; th < g.kernel_h; ++th) {
      const int ih = op * g.stride_h - g.pad_h + th;
      if (ih < 0 || ih >= g.h) continue;
      for (int tw = 0; tw < g.kernel_w; ++tw) {
        const int iw = oq * g.stride_w - g.pad_w + tw;
        if (iw < 0 || iw >= g.w) continue;
        const int64_t offset = ((image * g.h + ih) * g.w + iw) * g.c + group * 16;
        best = max16(best, *reinterpret_cast<const uint4*>(x + offset));
      }
    }
    *reinterpret_cast<uint4*>(y + i * 16) = best;
  }
}

// One thread per (image, channel): neighbouring threads read neighbouring channels of a pixel (coalesced), and
// each adds its pixels in order, as the reference does.
__global__ void global_average_pool_kernel(const float* __restrict__ x, float* __restrict__ y, int n, int pixels,
                                           int c) {
  const int64_t count = int64_t{n} * c;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t image = i / c, ch = i % c;
    const float* src = x + image * pixels * c + ch;
    float sum = 0.0f;
    for (int p = 0; p < pixels; ++p) sum = __fadd_rn(sum, src[int64_t{p} * c]);
    y[i] = __fdiv_rn(sum, static_cast<float>(pixels));
  }
}

}  // namespace

cudaError_t max_pool_s8_nhwc(const int8_t* x, int8_t* y, const PoolGeometry& g, cudaStream_t stream) {
  if (g.c % 16 != 0 || reinterpret_cast<uintptr_t>(x) % 16 != 0 || reinterpret_cast<uintptr_t>(y) % 16 != 0)
    return cudaErrorInvalidValue;
  max_pool_s8_nhwc_kernel<<<grid_for(int64_t{g.n} * g.p * g.q * (g.c / 16)), kThreads, 0, stream>>>(x, y, g);
  return cudaGetLastError();
}

cudaError_t global_average_pool_f32_nhwc(const float* x, float* y, int n, int pixels, int c, cudaStream_t stream) {
  global_average_pool_kernel<<<grid_for(int64_t{n} * c), kThreads, 0, stream>>>(x, y, n, pixels, c);
  return cudaGetLastError();
}

}  // namespace qatrt::cuda
