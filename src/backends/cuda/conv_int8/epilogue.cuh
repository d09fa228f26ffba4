// Fused epilogue: turns the block's int32 accumulators into the layer's output.
//   y = acc·scale[k] + bias[k] (+ q_r·s_r | + r) → relu → int8: saturate(roundTiesToEven(y / s_out)) | float y
// Every step is one IEEE operation in exactly that order (no contraction into FMA; the division's result is
// reproduced exactly, see requantize.h), so the result is bit-identical to the host epilogue of the reference
// backend (quantized_layer.cc) with z = 0.
//
// The accumulators first go through shared memory (free once the mainloop is done). Each thread then owns one
// 4-channel column of the tile for all its rows: it loads that column's scale and bias once, and its residual
// reads and output writes are 4- or 16-byte vectors, a warp covering whole row segments. Rows are handled in
// batches whose loads are all issued before the first store, so their latencies overlap.
#pragma once

#include <cstdint>

#include "backends/cuda/conv_int8/mainloop.cuh"
#include "backends/cuda/conv_int8/problem.h"
#include "backends/cuda/conv_int8/requantize.h"

namespace qatrt::cuda::conv_int8 {

// The block's [BM][BN] int32 tile in shared memory. Rows are padded by 32 bytes so that the 8-byte writes of
// one warp (8 rows × 32 bytes, see stage_accumulators) fall on distinct banks.
template <class Shape>
struct EpilogueTile {
  static constexpr int kRowBytes = Shape::kBN * 4 + 32;
  static constexpr int kBytes = Shape::kBM * kRowBytes;
  static constexpr int kVectorsPerRow = Shape::kBN / 4;  // 4-channel columns
  static constexpr int kRowStep = Shape::kThreads / kVectorsPerRow;
  static constexpr int kRowsPerThread = Shape::kBM / kRowStep;
  static constexpr int kBatch = kRowsPerThread < 4 ? kRowsPerThread : 4;
  static_assert(Shape::kThreads % kVectorsPerRow == 0 && kRowsPerThread % kBatch == 0, "column ownership");
};

// Each warp writes its C fragments (mma_int8.cuh: c0, c1 on row g, c2, c3 on row g + 8) into the tile.
template <class Shape>
__device__ __forceinline__ void stage_accumulators(uint8_t* tile, const WarpAccumulators<Shape>& acc, int warp_m,
                                                   int warp_n, int lane) {
  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int i = 0; i < Shape::kMmaM; ++i)
#pragma unroll
    for (int j = 0; j < Shape::kMmaN; ++j)
#pragma unroll
      for (int half = 0; half < 2; ++half) {
        const int row = warp_m + 16 * i + g + 8 * half, col = warp_n + 8 * j + 2 * t;
        *reinterpret_cast<int2*>(tile + row * EpilogueTile<Shape>::kRowBytes + col * 4) =
            make_int2(acc.c[i][j][2 * half], acc.c[i][j][2 * half + 1]);
      }
}

// Channel constants of one 4-channel column.
struct ColumnParams {
  float scale[4];
  float bias[4];
};

// y for one element, given its channel's scale and bias (has_bias false: no addition, as in the host code).
template <ConvResidual Residual>
__device__ __forceinline__ float epilogue_value(const ConvEpilogue& e, int32_t acc, float scale, float bias,
                                                float residual) {
  float y = __fmul_rn(static_cast<float>(acc), scale);
  if (e.bias) y = __fadd_rn(y, bias);
  if constexpr (Residual != ConvResidual::kNone) y = __fadd_rn(y, residual);
  if (e.relu) y = y < 0.0f ? 0.0f : y;  // the host's std::max(y, 0.0f), keeping −0 as it does
  return y;
}

template <ConvResidual Residual>
__device__ __forceinline__ void load_residual4(const ConvEpilogue& e, int64_t index, float (&r)[4]) {
  if constexpr (Residual == ConvResidual::kInt8) {
    const char4 q = *reinterpret_cast<const char4*>(static_cast<const int8_t*>(e.residual) + index);
    r[0] = __fmul_rn(static_cast<float>(q.x), e.residual_scale);
    r[1] = __fmul_rn(static_cast<float>(q.y), e.residual_scale);
    r[2] = __fmul_rn(static_cast<float>(q.z), e.residual_scale);
    r[3] = __fmul_rn(static_cast<float>(q.w), e.residual_scale);
  } else if constexpr (Residual == ConvResidual::kFloat32) {
    const float4 v = *reinterpret_cast<const float4*>(static_cast<const float*>(e.residual) + index);
    r[0] = v.x, r[1] = v.y, r[2] = v.z, r[3] = v.w;
  } else {
    r[0] = r[1] = r[2] = r[3] = 0.0f;
  }
}

// Rows first_row, first_row + kRowStep, ... of one 4-channel column (channels k .. k + 3, all < K; K a
// multiple of 4, so every index is 4-element aligned). rows_left: rows of the tile inside M.
template <class Shape, ConvResidual Residual, ConvOutput Output>
__device__ __forceinline__ void store_column4(const ConvFpropArgs& args, const uint8_t* tile, int64_t block_m,
                                              int rows_left, int first_row, int col, int k) {
  using Tile = EpilogueTile<Shape>;
  const ConvEpilogue& e = args.epilogue;
  const int channels = args.geometry.k;
  const float inverse_s = reciprocal(e.output_scale);
  ColumnParams p;
#pragma unroll
  for (int c = 0; c < 4; ++c) {
    p.scale[c] = e.scale[k + c];
    p.bias[c] = e.bias ? e.bias[k + c] : 0.0f;
  }
#pragma unroll 1
  for (int base = 0; base < Tile::kRowsPerThread; base += Tile::kBatch) {
    int4 acc[Tile::kBatch];
    float r[Tile::kBatch][4];
#pragma unroll
    for (int b = 0; b < Tile::kBatch; ++b) {  // every load of the batch first ...
      const int row = first_row + (base + b) * Tile::kRowStep;
      acc[b] = *reinterpret_cast<const int4*>(tile + row * Tile::kRowBytes + col * 4);
      if (row < rows_left) load_residual4<Residual>(e, (block_m + row) * channels + k, r[b]);
    }
#pragma unroll
    for (int b = 0; b < Tile::kBatch; ++b) {  // ... then the arithmetic and the stores
      const int row = first_row + (base + b) * Tile::kRowStep;
      if (row >= rows_left) continue;
      const int64_t index = (block_m + row) * channels + k;
      const float y0 = epilogue_value<Residual>(e, acc[b].x, p.scale[0], p.bias[0], r[b][0]);
      const float y1 = epilogue_value<Residual>(e, acc[b].y, p.scale[1], p.bias[1], r[b][1]);
      const float y2 = epilogue_value<Residual>(e, acc[b].z, p.scale[2], p.bias[2], r[b][2]);
      const float y3 = epilogue_value<Residual>(e, acc[b].w, p.scale[3], p.bias[3], r[b][3]);
      if constexpr (Output == ConvOutput::kInt8) {
        const float s = e.output_scale;
        *reinterpret_cast<char4*>(static_cast<int8_t*>(args.y) + index) =
            make_char4(requantize(y0, s, inverse_s), requantize(y1, s, inverse_s), requantize(y2, s, inverse_s),
                       requantize(y3, s, inverse_s));
      } else {
        *reinterpret_cast<float4*>(static_cast<float*>(args.y) + index) = make_float4(y0, y1, y2, y3);
      }
    }
  }
}

// K not a multiple of 4: element by element, channels k .. min(k + 3, K − 1).
__device__ __forceinline__ void store_column_scalar(const ConvFpropArgs& args, const int32_t* acc, int64_t m,
                                                    int k) {
  const ConvEpilogue& e = args.epilogue;
  const int channels = args.geometry.k;
  for (int c = 0; c < 4 && k + c < channels; ++c) {
    const int64_t index = m * channels + k + c;
    float r = 0.0f;
    if (e.residual_kind == ConvResidual::kInt8)
      r = __fmul_rn(static_cast<float>(static_cast<const int8_t*>(e.residual)[index]), e.residual_scale);
    else if (e.residual_kind == ConvResidual::kFloat32)
      r = static_cast<const float*>(e.residual)[index];
    float y = __fmul_rn(static_cast<float>(acc[c]), e.scale[k + c]);
    if (e.bias) y = __fadd_rn(y, e.bias[k + c]);
    if (e.residual_kind != ConvResidual::kNone) y = __fadd_rn(y, r);
    if (e.relu) y = y < 0.0f ? 0.0f : y;
    if (e.output_kind == ConvOutput::kInt8)
      static_cast<int8_t*>(args.y)[index] = requantize(y, e.output_scale, reciprocal(e.output_scale));
    else
      static_cast<float*>(args.y)[index] = y;
  }
}

// All threads of the block write the staged tile; (block_m, block_n) is the block's origin in [M, K]. Call
// after a barrier that follows stage_accumulators.
template <class Shape>
__device__ __forceinline__ void store_conv_tile(const ConvFpropArgs& args, const uint8_t* tile, int64_t block_m,
                                                int block_n, int tid) {
  using Tile = EpilogueTile<Shape>;
  const int col = (tid % Tile::kVectorsPerRow) * 4, first_row = tid / Tile::kVectorsPerRow;
  const int k = block_n + col;
  const int channels = args.geometry.k;
  if (k >= channels) return;
  const int64_t rows_in_m = args.geometry.gemm_m() - block_m;
  const int rows_left = rows_in_m < Shape::kBM ? static_cast<int>(rows_in_m) : Shape::kBM;
  if (channels % 4 != 0) {
    for (int row = first_row; row < rows_left; row += Tile::kRowStep)
      store_column_scalar(args, reinterpret_cast<const int32_t*>(tile + row * Tile::kRowBytes + col * 4),
                          block_m + row, k);
    return;
  }
  const ConvResidual residual = args.epilogue.residual_kind;
  const bool int8_out = args.epilogue.output_kind == ConvOutput::kInt8;
#define QATRT_STORE_COLUMN(R, O) \
  store_column4<Shape, ConvResidual::R, ConvOutput::O>(args, tile, block_m, rows_left, first_row, col, k)
  if (residual == ConvResidual::kNone)
    int8_out ? QATRT_STORE_COLUMN(kNone, kInt8) : QATRT_STORE_COLUMN(kNone, kFloat32);
  else if (residual == ConvResidual::kInt8)
    int8_out ? QATRT_STORE_COLUMN(kInt8, kInt8) : QATRT_STORE_COLUMN(kInt8, kFloat32);
  else
    int8_out ? QATRT_STORE_COLUMN(kFloat32, kInt8) : QATRT_STORE_COLUMN(kFloat32, kFloat32);
#undef QATRT_STORE_COLUMN
}

}  // namespace qatrt::cuda::conv_int8
