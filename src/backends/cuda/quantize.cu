#include "backends/cuda/quantize.h"

#include <cstdint>

#include "backends/cuda/conv_int8/requantize.h"

namespace qatrt::cuda {
namespace {

constexpr int kThreads = 256;

// Ties must land exactly where the CPU's do, so x / s is the correctly rounded quotient. With a zero point of 0
// (every QuantizeLinear of the INT8 path) that is the epilogue's division-free requantization
// (conv_int8/requantize.h: a reciprocal multiply, the true division only within 2^-14 of a tie); a true
// division per element, whose fast path gives up on a zero numerator, kept the network input's quantize
// compute-bound (0.39 ms at batch 256 on an H200). Other zero points keep the true division.
// Made once per thread, so the reciprocal is formed once, not per element.
struct Quantizer {
  float scale, inverse_scale;
  int32_t zero_point;
  __device__ Quantizer(float s, int32_t z) : scale(s), inverse_scale(conv_int8::reciprocal(s)), zero_point(z) {}
  __device__ int8_t operator()(float x) const {
    if (zero_point == 0) return conv_int8::requantize(x, scale, inverse_scale);
    float v = rintf(__fdiv_rn(x, scale)) + static_cast<float>(zero_point);  // rintf: round half to even
    return static_cast<int8_t>(fminf(fmaxf(v, -128.0f), 127.0f));
  }
};

__device__ __forceinline__ float dequantize_one(int8_t q, float scale, int32_t zero_point) {
  return __fmul_rn(static_cast<float>(static_cast<int32_t>(q) - zero_point), scale);
}

__global__ void quantize_s8_kernel(const float* __restrict__ x, int8_t* __restrict__ q, int64_t count, float scale,
                                   int32_t zero_point) {
  const Quantizer quantize(scale, zero_point);
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x)
    q[i] = quantize(x[i]);
}

__global__ void dequantize_s8_kernel(const int8_t* __restrict__ q, float* __restrict__ x, int64_t count, float scale,
                                     int32_t zero_point) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x)
    x[i] = dequantize_one(q[i], scale, zero_point);
}

// NHWC source: one thread per output element, channel fastest, so reads and writes are both coalesced.
__global__ void quantize_nhwc_to_nhwc_kernel(const float* __restrict__ x, int8_t* __restrict__ q, int64_t pixels,
                                             int c, int padded_c, float scale, int32_t zero_point) {
  const Quantizer quantize(scale, zero_point);
  const int64_t count = pixels * padded_c;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x) {
    const int ch = static_cast<int>(i % padded_c);
    const int64_t pixel = i / padded_c;
    q[i] = ch < c ? quantize(x[pixel * c + ch]) : static_cast<int8_t>(zero_point);
  }
}

// NCHW source (the network's float input): one thread per pixel, so a warp reads 32 neighbouring pixels of
// each plane (coalesced); the thread assembles its stored pixel one Chunk (8 or 16 bytes) at a time in
// registers and writes it as one vector, so a warp's stores cover a contiguous span (byte stores of a 32-byte
// pixel left the writes, not the reads, the bottleneck: 3.7 ms for ResNet-50's input at batch 256 on an H200).
// Chunk = uint2 for the 8-channel pixels of a few-channel image (device_layout.h: the stem's 3 channels),
// int4 for pixels padded to multiples of 32; padded_c is a multiple of sizeof(Chunk), q aligned to it.
template <typename Chunk>
__global__ void quantize_nchw_to_nhwc_kernel(const float* __restrict__ x, int8_t* __restrict__ q, int n, int c,
                                             int plane, int padded_c, float scale, int32_t zero_point) {
  constexpr int kBytes = sizeof(Chunk);
  const Quantizer quantize(scale, zero_point);
  // blockIdx.y walks the images, so pixel indices stay 32-bit (a 64-bit division per pixel is ~100 instructions).
  for (int image = blockIdx.y; image < n; image += gridDim.y) {
    const float* planes = x + static_cast<int64_t>(image) * c * plane;
    int8_t* pixels = q + static_cast<int64_t>(image) * plane * padded_c;
    for (int p = blockIdx.x * blockDim.x + threadIdx.x; p < plane; p += gridDim.x * blockDim.x) {
      Chunk* dst = reinterpret_cast<Chunk*>(pixels + static_cast<int64_t>(p) * padded_c);
      for (int base = 0; base < padded_c; base += kBytes) {
        union {
          Chunk vector;
          int8_t bytes[kBytes];
        } chunk;
#pragma unroll
        for (int i = 0; i < kBytes; ++i) {
          const int ch = base + i;
          chunk.bytes[i] = ch < c ? quantize(planes[static_cast<int64_t>(ch) * plane + p])
                                  : static_cast<int8_t>(zero_point);
        }
        dst[base / kBytes] = chunk.vector;
      }
    }
  }
}

__global__ void dequantize_nhwc_kernel(const int8_t* __restrict__ q, float* __restrict__ x, int64_t pixels, int c,
                                       int padded_c, float scale, int32_t zero_point) {
  const int64_t count = pixels * c;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < count; i += int64_t{gridDim.x} * blockDim.x)
    x[i] = dequantize_one(q[i / c * padded_c + i % c], scale, zero_point);
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

cudaError_t quantize_s8_to_nhwc(const float* x, bool x_nchw, int8_t* q, int n, int c, int h, int w, int padded_c,
                                float scale, int32_t zero_point, cudaStream_t stream) {
  if (padded_c < c) return cudaErrorInvalidValue;
  const int64_t plane = int64_t{h} * w, pixels = n * plane;
  if (x_nchw) {
    // 16-byte chunks where the stored pixel is a multiple of 16 bytes, else 8-byte ones (8 stored channels).
    const int chunk = padded_c % 16 == 0 ? 16 : 8;
    if (padded_c % chunk != 0 || reinterpret_cast<uintptr_t>(q) % chunk != 0 || plane > INT32_MAX / 2)
      return cudaErrorInvalidValue;
    const int64_t blocks = (plane + kThreads - 1) / kThreads;
    const dim3 grid(static_cast<unsigned>(blocks < 65535 ? blocks : 65535),
                    static_cast<unsigned>(n < 65535 ? n : 65535));
    if (chunk == 16)
      quantize_nchw_to_nhwc_kernel<int4><<<grid, kThreads, 0, stream>>>(x, q, n, c, static_cast<int>(plane), padded_c,
                                                                       scale, zero_point);
    else
      quantize_nchw_to_nhwc_kernel<uint2><<<grid, kThreads, 0, stream>>>(x, q, n, c, static_cast<int>(plane),
                                                                        padded_c, scale, zero_point);
  } else {
    quantize_nhwc_to_nhwc_kernel<<<grid_for(pixels * padded_c), kThreads, 0, stream>>>(x, q, pixels, c, padded_c,
                                                                                       scale, zero_point);
  }
  return cudaGetLastError();
}

cudaError_t dequantize_s8_from_nhwc(const int8_t* q, float* x, int64_t pixels, int c, int padded_c, float scale,
                                    int32_t zero_point, cudaStream_t stream) {
  if (padded_c < c) return cudaErrorInvalidValue;
  dequantize_nhwc_kernel<<<grid_for(pixels * c), kThreads, 0, stream>>>(q, x, pixels, c, padded_c, scale, zero_point);
  return cudaGetLastError();
}

}  // namespace qatrt::cuda
