// Tile iterators of the implicit GEMM: they copy one BK = 64-byte slice of the reduction (k = (r, s, c), c
// fastest) for the block's rows into shared memory with cp.async, then step to the next slice. Shape gives the
// tile (kBM, kBN, kBK), the copying threads (kChunksPerRow, kRowsPerPass) and the shared layout (tile_offset):
// the sm_80 kernel's TileShape, or the Hopper kernel's gathering producer (sm90_gather.cuh).
//
// Analytic version: addresses come from (n, p, q) and (r, s, c), no precomputed offset tables. Thread `tid`
// always copies chunk tid % 4 of its rows, so the reduction position (r, s, c) of its chunk is the same for
// all of its rows and is kept once per thread; because C is a multiple of 32, a 16-byte chunk never straddles
// two filter taps.
#pragma once

#include <cstdint>

#include "backends/cuda/conv_int8/problem.h"
#include "backends/cuda/conv_int8/tile_shape.cuh"
#include "backends/cuda/mma_int8.cuh"

namespace qatrt::cuda::conv_int8 {

// A operand: row m of the GEMM is output pixel (n, p, q); its k-th byte is x[n, p·σh − πh + r, q·σw − πw + s, c],
// or 0 in the padding.
template <class Shape>
class ActivationTileIterator {
 public:
  static constexpr int kRows = Shape::kBM / Shape::kRowsPerPass;  // rows this thread copies

  __device__ ActivationTileIterator(const ConvGeometry& g, const int8_t* x, int64_t m0, int tid)
      : h_(g.h), w_(g.w), c_(g.c), s_size_(g.s), gemm_k_(static_cast<int>(g.gemm_k())) {
    chunk_ = tid % Shape::kChunksPerRow;
    first_row_ = tid / Shape::kChunksPerRow;
    const int64_t m_total = g.gemm_m();  // < 2^31 (conv_fprop_unsupported_reason), so (n, p, q) use 32 bits
#pragma unroll
    for (int i = 0; i < kRows; ++i) {
      const int64_t m = m0 + first_row_ + i * Shape::kRowsPerPass;
      if (m < m_total) {
        const unsigned m32 = static_cast<unsigned>(m), np = m32 / g.q;
        const int q = static_cast<int>(m32 - np * g.q);
        const int p = static_cast<int>(np % g.p), n = static_cast<int>(np / g.p);
        image_[i] = x + static_cast<int64_t>(n) * g.h * g.w * g.c;
        h0_[i] = p * g.stride_h - g.pad_h;
        w0_[i] = q * g.stride_w - g.pad_w;
      } else {
        image_[i] = x;
        h0_[i] = -(1 << 30);  // never inside the image: the row is zero-filled
        w0_[i] = 0;
      }
    }
    k_ = chunk_ * 16;
    const int tap = k_ / c_;
    c_pos_ = k_ - tap * c_;
    r_pos_ = tap / s_size_;
    s_pos_ = tap - r_pos_ * s_size_;
  }

  // Issues the copies of the current slice into the tile at `shared_tile` (Shape::kBM rows of 64 bytes).
  __device__ void load(uint32_t shared_tile) const {
    const bool k_valid = k_ < gemm_k_;
#pragma unroll
    for (int i = 0; i < kRows; ++i) {
      const int h = h0_[i] + r_pos_, w = w0_[i] + s_pos_;
      const bool valid = k_valid && static_cast<unsigned>(h) < static_cast<unsigned>(h_) &&
                         static_cast<unsigned>(w) < static_cast<unsigned>(w_);
      const int8_t* src = valid ? image_[i] + (static_cast<int64_t>(h) * w_ + w) * c_ + c_pos_ : image_[i];
      const int row = first_row_ + i * Shape::kRowsPerPass;
      ptx::cp_async_16(shared_tile + Shape::tile_offset(row, chunk_), src, valid);
    }
  }

  // Moves to the next 64-byte slice: c advances by 64, carrying into s and r (at most twice, as C >= 32).
  __device__ void advance() {
    k_ += Shape::kBK;
    c_pos_ += Shape::kBK;
    while (c_pos_ >= c_) {
      c_pos_ -= c_;
      if (++s_pos_ == s_size_) {
        s_pos_ = 0;
        ++r_pos_;
      }
    }
  }

 private:
  int h_, w_, c_, s_size_, gemm_k_;
  int chunk_, first_row_;
  int k_, r_pos_, s_pos_, c_pos_;  // this thread's chunk: reduction index and its (r, s, c)
  const int8_t* image_[kRows];     // x + n·H·W·C of each row
  int h0_[kRows], w0_[kRows];      // input coordinates of tap (0, 0) of each row
};

// B operand: column j of the GEMM is output channel n0 + j; its k-th byte is w[k_channel, r, s, c] = the k-th
// byte of row k_channel of the KRSC weight, which is contiguous.
template <class Shape>
class WeightTileIterator {
 public:
  static constexpr int kRows = Shape::kBN / Shape::kRowsPerPass;

  __device__ WeightTileIterator(const ConvGeometry& g, const int8_t* w, int n0, int tid)
      : gemm_k_(static_cast<int>(g.gemm_k())) {
    chunk_ = tid % Shape::kChunksPerRow;
    first_row_ = tid / Shape::kChunksPerRow;
    k_ = chunk_ * 16;
#pragma unroll
    for (int i = 0; i < kRows; ++i) {
      const int channel = n0 + first_row_ + i * Shape::kRowsPerPass;
      row_valid_[i] = channel < g.k;
      row_[i] = w + static_cast<int64_t>(row_valid_[i] ? channel : 0) * gemm_k_ + k_;
    }
  }

  __device__ void load(uint32_t shared_tile) const {
    const bool k_valid = k_ < gemm_k_;
#pragma unroll
    for (int i = 0; i < kRows; ++i) {
      const int row = first_row_ + i * Shape::kRowsPerPass;
      ptx::cp_async_16(shared_tile + Shape::tile_offset(row, chunk_), row_[i], k_valid && row_valid_[i]);
    }
  }

  __device__ void advance() {
    k_ += Shape::kBK;
#pragma unroll
    for (int i = 0; i < kRows; ++i) row_[i] += Shape::kBK;
  }

 private:
  int gemm_k_;
  int chunk_, first_row_, k_;
  const int8_t* row_[kRows];
  bool row_valid_[kRows];
};

}  // namespace qatrt::cuda::conv_int8
