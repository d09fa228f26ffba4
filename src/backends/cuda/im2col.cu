#include "backends/cuda/im2col.h"

namespace qatrt::cuda {
namespace {

constexpr int kRowsPerBlock = 64;

// Appends the low `bits` (≤ 32) of v to a row being packed 32-bit word by word into `row`.
struct RowPacker {
  uint32_t* row;
  uint64_t pending = 0;
  int pending_bits = 0, words = 0;
  __device__ void push(uint32_t v, int bits) {
    pending |= static_cast<uint64_t>(v) << pending_bits;
    pending_bits += bits;
    if (pending_bits >= 32) {
      row[words++] = static_cast<uint32_t>(pending);
      pending >>= 32;
      pending_bits -= 32;
    }
  }
};

__device__ __forceinline__ uint32_t low_bytes(uint32_t v, int bytes) {
  return bytes >= 4 ? v : v & ((1u << (8 * bytes)) - 1);
}

// Taps of a filter row whose loads are issued together; a wider filter row takes several such groups.
constexpr int kTapsPerGroup = 8;

// One thread per row (output pixel): for each tap (r, s) it loads the input pixel's first 8 bytes once
// (channels ≤ 8) and appends its `channels` bytes to the row, packed into 32-bit words in shared memory (an
// odd number of words per row: no bank conflicts); the block then writes its rows — one contiguous span of
// global memory — as 16-byte vectors.
// The input pixels of few-channel values are 8 bytes (device_layout.h), so a filter row of the stem (7 taps)
// is 56 contiguous bytes, and a warp's 32 neighbouring output pixels (stride 2) read a 512-byte span per tap,
// shifted by 8 bytes from tap to tap (L1 hits after the first); with 32-byte pixels it was 2 KiB per tap.
// History (stem, batch 256): one load and two integer divisions per byte: 2.6 ms with the GEMM (H200); a
// per-column table in shared memory: 1.6 ms (H200); a load per tap but byte stores into shared memory:
// 0.97 ms for the im2col alone, shared-store bound (H100, ncu: 91 % "Mem Busy", 29 % DRAM); packed 32-bit
// stores: 0.85 ms, latency bound (35 % SM, 34 % DRAM) — hence a filter row's loads issued together (0.54 ms
// with 32-byte pixels).
__global__ void im2col_kernel(const int8_t* __restrict__ x, int8_t* __restrict__ a, ConvGeometry g, int channels,
                              int row_bytes) {
  extern __shared__ uint32_t staging[];
  const int row_words = row_bytes / 4, stride = row_words + 1;
  const int64_t rows = g.gemm_m();
  for (int64_t first = blockIdx.x * int64_t{kRowsPerBlock}; first < rows; first += int64_t{gridDim.x} * kRowsPerBlock) {
    const int64_t m = first + threadIdx.x;
    if (m < rows) {
      const int oq = static_cast<int>(m % g.q);
      const int op = static_cast<int>(m / g.q % g.p);
      const int64_t image = m / (int64_t{g.q} * g.p);
      const int8_t* pixels = x + image * g.h * g.w * g.c;
      const int h0 = op * g.stride_h - g.pad_h, w0 = oq * g.stride_w - g.pad_w;
      // Packs R·S·channels bytes: at most row_bytes (a multiple of 4), so the packer stays within the row.
      RowPacker packer{staging + threadIdx.x * stride};
      for (int r = 0; r < g.r; ++r) {
        const int ih = h0 + r;
        const bool row_inside = ih >= 0 && ih < g.h;
        for (int s0 = 0; s0 < g.s; s0 += kTapsPerGroup) {
          // All taps of the group are loaded before any is packed, so their loads are in flight together.
          uint2 words[kTapsPerGroup];
#pragma unroll
          for (int t = 0; t < kTapsPerGroup; ++t) {
            const int iw = w0 + s0 + t;
            words[t] = make_uint2(0, 0);
            if (s0 + t < g.s && row_inside && iw >= 0 && iw < g.w)
              words[t] = *reinterpret_cast<const uint2*>(pixels + (static_cast<int64_t>(ih) * g.w + iw) * g.c);
          }
#pragma unroll
          for (int t = 0; t < kTapsPerGroup; ++t) {
            if (s0 + t >= g.s) break;
            packer.push(low_bytes(words[t].x, channels), 8 * min(channels, 4));
            if (channels > 4) packer.push(low_bytes(words[t].y, channels - 4), 8 * (channels - 4));
          }
        }
      }
      if (packer.pending_bits > 0) packer.push(0, 32 - packer.pending_bits);
      while (packer.words < row_words) packer.row[packer.words++] = 0;
    }
    __syncthreads();
    const int chunks = row_bytes / 16;
    const int block_rows = static_cast<int>(rows - first < kRowsPerBlock ? rows - first : kRowsPerBlock);
    for (int k = threadIdx.x; k < block_rows * chunks; k += kRowsPerBlock) {
      const uint32_t* words = staging + (k / chunks) * stride + (k % chunks) * 4;
      reinterpret_cast<int4*>(a + first * row_bytes)[k] =
          make_int4(static_cast<int>(words[0]), static_cast<int>(words[1]), static_cast<int>(words[2]),
                    static_cast<int>(words[3]));
    }
    __syncthreads();  // the staging rows are rewritten by the next round
  }
}

}  // namespace

cudaError_t im2col_s8_nhwc(const int8_t* x, int8_t* a, const ConvGeometry& g, int channels, int row_bytes,
                           cudaStream_t stream) {
  if (row_bytes % 16 != 0 || row_bytes > kMaxIm2colRowBytes || reinterpret_cast<uintptr_t>(a) % 16 != 0 ||
      channels > 8 || channels > g.c || int64_t{g.r} * g.s * channels > row_bytes || g.c % 8 != 0 ||
      reinterpret_cast<uintptr_t>(x) % 8 != 0)
    return cudaErrorInvalidValue;
  const int64_t blocks = (g.gemm_m() + kRowsPerBlock - 1) / kRowsPerBlock;
  const int shared = kRowsPerBlock * (row_bytes + 4);
  im2col_kernel<<<static_cast<unsigned>(blocks < 65535 ? (blocks > 0 ? blocks : 1) : 65535), kRowsPerBlock, shared,
                  stream>>>(x, a, g, channels, row_bytes);
  return cudaGetLastError();
}

}  // namespace qatrt::cuda
