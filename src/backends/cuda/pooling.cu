#include "backends/cuda/pooling.h"

#include "backends/cuda/float_access.cuh"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;

unsigned grid_for(int64_t count) {
  int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535);
}

// Signed byte-wise max of 16 or 8 channels at once (__vmaxs4 on each 32-bit word).
__device__ __forceinline__ uint4 max_bytes(uint4 a, uint4 b) {
  return make_uint4(__vmaxs4(a.x, b.x), __vmaxs4(a.y, b.y), __vmaxs4(a.z, b.z), __vmaxs4(a.w, b.w));
}
__device__ __forceinline__ uint2 max_bytes(uint2 a, uint2 b) {
  return make_uint2(__vmaxs4(a.x, b.x), __vmaxs4(a.y, b.y));
}

template <typename Lanes>
__device__ __forceinline__ Lanes all_lowest();  // −128 in every byte
template <>
__device__ __forceinline__ uint4 all_lowest<uint4>() {
  return make_uint4(0x80808080u, 0x80808080u, 0x80808080u, 0x80808080u);
}
template <>
__device__ __forceinline__ uint2 all_lowest<uint2>() {
  return make_uint2(0x80808080u, 0x80808080u);
}

// Calls visit(offset) for every tap of output pixel `pixel` (in N·P·Q order) that lies inside the image, with
// the offset of the tap's pixel (channel 0) in the NHWC input.
template <typename Visit>
__device__ __forceinline__ void for_each_tap(const PoolGeometry& g, int64_t pixel, Visit visit) {
  const int oq = static_cast<int>(pixel % g.q);
  const int op = static_cast<int>(pixel / g.q % g.p);
  const int64_t image = pixel / (int64_t{g.q} * g.p);
  for (int th = 0; th < g.kernel_h; ++th) {
    const int ih = op * g.stride_h - g.pad_h + th;
    if (ih < 0 || ih >= g.h) continue;
    for (int tw = 0; tw < g.kernel_w; ++tw) {
      const int iw = oq * g.stride_w - g.pad_w + tw;
      if (iw < 0 || iw >= g.w) continue;
      visit(((image * g.h + ih) * g.w + iw) * g.c);
    }
  }
}

// One thread per 16 channels (Lanes = uint4) of one output pixel: every tap is one 16-byte load, and a warp
// reads 512 neighbouring bytes of one input pixel row per tap. Values of few channels, stored with 8 per pixel
// (device_layout.h), take Lanes = uint2: one 8-byte load per tap, a whole pixel.
template <typename Lanes>
__global__ void max_pool_s8_nhwc_kernel(const int8_t* __restrict__ x, int8_t* __restrict__ y, PoolGeometry g) {
  constexpr int kLanes = sizeof(Lanes);
  const int groups = g.c / kLanes;
  const int64_t count = int64_t{g.n} * g.p * g.q * groups;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int group = static_cast<int>(i % groups);
    Lanes best = all_lowest<Lanes>();
    for_each_tap(g, i / groups, [&](int64_t offset) {
      best = max_bytes(best, *reinterpret_cast<const Lanes*>(x + offset + group * kLanes));
    });
    *reinterpret_cast<Lanes*>(y + i * kLanes) = best;
  }
}

// One thread per output element; neighbouring threads read neighbouring channels of a pixel (coalesced). An
// empty window (all taps in the padding) gives the lowest finite value, as in the reference backend.
template <typename T>
__global__ void max_pool_nhwc_kernel(const T* __restrict__ x, T* __restrict__ y, PoolGeometry g) {
  const int64_t count = int64_t{g.n} * g.p * g.q * g.c;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int ch = static_cast<int>(i % g.c);
    float best = kLowest<T>;
    for_each_tap(g, i / g.c, [&](int64_t offset) {
      const float v = load_float(x + offset + ch);
      if (best < v) best = v;  // std::max(best, v), as the reference
    });
    store_float(y + i, best);  // exact: best is one of the inputs (or the lowest value of T)
  }
}

// One thread per (image, channel): neighbouring threads read neighbouring channels of a pixel (coalesced), and
// each adds its pixels in order, as the reference does, in float32 (for float16 inputs too).
template <typename T>
__global__ void global_average_pool_kernel(const T* __restrict__ x, T* __restrict__ y, int n, int pixels, int c) {
  const int64_t count = int64_t{n} * c;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t image = i / c, ch = i % c;
    const T* src = x + image * pixels * c + ch;
    float sum = 0.0f;
    for (int p = 0; p < pixels; ++p) sum = __fadd_rn(sum, load_float(src + int64_t{p} * c));
    store_float(y + i, __fdiv_rn(sum, static_cast<float>(pixels)));
  }
}

// The same result, one thread per 16 bytes of channels (4 float32 or 8 float16): the tap loop's index math is
// shared by the lanes, and every tap is one 16-byte load. Needs C·sizeof(T) % 16 == 0 (16-byte aligned pixels).
template <typename T>
__global__ void max_pool_nhwc_vector_kernel(const T* __restrict__ x, T* __restrict__ y, PoolGeometry g) {
  constexpr int kLanes = 16 / sizeof(T);
  const int groups = g.c / kLanes;
  const int64_t count = int64_t{g.n} * g.p * g.q * groups;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int group = static_cast<int>(i % groups);
    float best[kLanes];
    for (float& b : best) b = kLowest<T>;
    for_each_tap(g, i / groups, [&](int64_t offset) {
      const uint4 bits = *reinterpret_cast<const uint4*>(x + offset + group * kLanes);
      const T* lanes = reinterpret_cast<const T*>(&bits);
      for (int l = 0; l < kLanes; ++l) {
        const float v = load_float(lanes + l);
        if (best[l] < v) best[l] = v;  // std::max(best, v), as the reference
      }
    });
    uint4 out;
    T* out_lanes = reinterpret_cast<T*>(&out);
    for (int l = 0; l < kLanes; ++l) store_float(out_lanes + l, best[l]);
    *reinterpret_cast<uint4*>(y + i * kLanes) = out;
  }
}

template <typename T>
cudaError_t max_pool_nhwc(const T* x, T* y, const PoolGeometry& g, cudaStream_t stream) {
  constexpr int kLanes = 16 / sizeof(T);
  const bool aligned = reinterpret_cast<uintptr_t>(x) % 16 == 0 && reinterpret_cast<uintptr_t>(y) % 16 == 0;
  if (g.c % kLanes == 0 && aligned)
    max_pool_nhwc_vector_kernel<<<grid_for(int64_t{g.n} * g.p * g.q * (g.c / kLanes)), kThreads, 0, stream>>>(x, y, g);
  else
    max_pool_nhwc_kernel<<<grid_for(int64_t{g.n} * g.p * g.q * g.c), kThreads, 0, stream>>>(x, y, g);
  return cudaGetLastError();
}

template <typename T>
cudaError_t global_average_pool_nhwc(const T* x, T* y, int n, int pixels, int c, cudaStream_t stream) {
  global_average_pool_kernel<<<grid_for(int64_t{n} * c), kThreads, 0, stream>>>(x, y, n, pixels, c);
  return cudaGetLastError();
}

}  // namespace

cudaError_t max_pool_s8_nhwc(const int8_t* x, int8_t* y, const PoolGeometry& g, cudaStream_t stream) {
  const int lanes = g.c % 16 == 0 ? 16 : 8;
  if (g.c % lanes != 0 || reinterpret_cast<uintptr_t>(x) % lanes != 0 || reinterpret_cast<uintptr_t>(y) % lanes != 0)
    return cudaErrorInvalidValue;
  const unsigned grid = grid_for(int64_t{g.n} * g.p * g.q * (g.c / lanes));
  if (lanes == 16)
    max_pool_s8_nhwc_kernel<uint4><<<grid, kThreads, 0, stream>>>(x, y, g);
  else
    max_pool_s8_nhwc_kernel<uint2><<<grid, kThreads, 0, stream>>>(x, y, g);
  return cudaGetLastError();
}

cudaError_t max_pool_f32_nhwc(const float* x, float* y, const PoolGeometry& g, cudaStream_t stream) {
  return max_pool_nhwc(x, y, g, stream);
}

cudaError_t max_pool_f16_nhwc(const __half* x, __half* y, const PoolGeometry& g, cudaStream_t stream) {
  return max_pool_nhwc(x, y, g, stream);
}

cudaError_t global_average_pool_f32_nhwc(const float* x, float* y, int n, int pixels, int c, cudaStream_t stream) {
  return global_average_pool_nhwc(x, y, n, pixels, c, stream);
}

cudaError_t global_average_pool_f16_nhwc(const __half* x, __half* y, int n, int pixels, int c, cudaStream_t stream) {
  return global_average_pool_nhwc(x, y, n, pixels, c, stream);
}

}  // namespace qatrt::cuda
