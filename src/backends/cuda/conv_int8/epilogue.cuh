// Fused epilogue: turns the block's int32 accumulators into the layer's output.
//   y = acc·scale[k] + bias[k] (+ q_r·s_r | + r) → relu → int8: saturate(roundTiesToEven(y / s_out)) | float y
// Every step is one IEEE operation in exactly that order (no contraction into FMA; the division's result is
// reproduced exactly, see requantize.h), so the result is bit-identical to the host epilogue of the reference
// backend (quantized_layer.cc) with z = 0.
//
// The accumulators first go through shared memory (free once the mainloop is done). Each thread then owns one
// 16-channel column of the tile for all its rows and writes the int8 output as one 16-byte vector per row, a
// warp covering whole row segments of NHWC memory (the output stage limits the short-reduction 1×1 layers;
// 4-byte vectors cost 4× the memory instructions).
// The epilogue's other inputs (the block's scale and bias, and an int8 residual tile) are copied into shared
// memory with cp.async before the mainloop starts: their latency then overlaps the operand loads instead of
// following the mainloop (with a 64-byte reduction the block otherwise waits for memory twice in a row), and
// the per-channel constants cost no registers (16 channels of scale and bias would take 32 per thread).
#pragma once

#include <cstdint>

#include "backends/cuda/conv_int8/float_conversions.h"
#include "backends/cuda/conv_int8/mainloop.cuh"
#include "backends/cuda/conv_int8/problem.h"
#include "backends/cuda/conv_int8/requantize.h"

namespace qatrt::cuda::conv_int8 {

// The block's [BM][BN] int32 tile in shared memory, as 16-channel groups of 64 bytes, each padded by 16 bytes.
// Two accesses must spread over the 32 banks: the staging writes (8 bytes per lane; a warp instruction covers 8
// consecutive rows × 32 bytes, see stage_accumulators) and the epilogue's 16-byte reads (8 lanes at a time: the
// 8 groups of one row when BN = 128, the 4 groups of two neighbouring rows when BN = 64). With BN = 128 the group
// padding puts the 8 groups on 8 different 16-byte bank slots and 32 bytes of row padding spread the writes. With
// BN = 64 no padding does both (two rows' groups collide, 2-way, on the reads of the padded layout), so rows are
// unpadded and the two 32-byte halves of a group trade places on rows 2 and 3 of every 4 (swap_halves): both
// accesses are then conflict-free (checked by enumerating the lanes' banks).
template <class Shape>
struct EpilogueTile {
  static constexpr int kChannels = 16;  // a thread's column: one 16-byte int8 vector
  static constexpr int kGroupBytes = kChannels * 4 + 16;
  static constexpr int kGroupsPerRow = Shape::kBN / kChannels;
  static constexpr bool kSwapHalves = kGroupsPerRow == 4;
  static constexpr int kRowBytes = kGroupsPerRow * kGroupBytes + (kSwapHalves ? 0 : 32);
  static constexpr int kBytes = Shape::kBM * kRowBytes;
  static constexpr int kRowStep = Shape::kThreads / kGroupsPerRow;
  static constexpr int kRowsPerThread = Shape::kBM / kRowStep;
  static_assert(Shape::kBN % kChannels == 0 && Shape::kThreads % kGroupsPerRow == 0 &&
                    Shape::kBM % kRowStep == 0 && kRowBytes % 16 == 0,
                "column ownership");

  // 2 on the rows whose group halves trade places, else 0: XORed into the 16-byte chunk index (0..3).
  __device__ static int swap_halves(int row) { return kSwapHalves ? (row & 2) : 0; }
  // Byte offset of 16-byte chunk `chunk` (channels 4·chunk .. 4·chunk + 3) of 16-channel group `group` of a row.
  __device__ static int chunk_offset(int row, int group, int chunk) {
    return row * kRowBytes + group * kGroupBytes + (chunk ^ swap_halves(row)) * 16;
  }
  // Byte offset of element (row, col) of the tile.
  __device__ static int offset(int row, int col) {
    return chunk_offset(row, col / kChannels, (col % kChannels) / 4) + (col % 4) * 4;
  }
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
        *reinterpret_cast<int2*>(tile + EpilogueTile<Shape>::offset(row, col)) =
            make_int2(acc.c[i][j][2 * half], acc.c[i][j][2 * half + 1]);
      }
}

// y for one element, given its channel's scale and bias (has_bias false: no addition, as in the host code).
// float_of_int32 is static_cast<float>(acc) without the conversion instruction (float_conversions.h); with
// SmallReduction (a reduction of at most kSmallReductionMax products) the shorter float_of_small_int32 is.
// The relu of an int8 output is left to its requantization (requantize_bits_unchecked's lower bound).
template <ConvResidual Residual, ConvOutput Output, bool SmallReduction>
__device__ __forceinline__ float epilogue_value(const ConvEpilogue& e, int32_t acc, float scale, float bias,
                                                float residual) {
  float y = __fmul_rn(SmallReduction ? float_of_small_int32(acc) : float_of_int32(acc), scale);
  if (e.bias) y = __fadd_rn(y, bias);
  if constexpr (Residual != ConvResidual::kNone) y = __fadd_rn(y, residual);
  if constexpr (Output == ConvOutput::kFloat32)
    if (e.relu) y = relu_as_host(y);
  return y;
}

// Where the epilogue's inputs sit in shared memory, behind the staging area: the block's BN scales, then its BN
// biases (zero when there is no bias), then, for an int8 residual, BM rows of BN bytes. Unpadded: the 8 lanes
// of one 16-byte shared access read 128 contiguous bytes (one row of 8 groups, or two rows of 4), which is
// conflict-free, and it keeps the 64×64 tile at 6 blocks per SM.
template <class Shape>
struct EpilogueInputs {
  static constexpr int kScaleOffset = 0;
  static constexpr int kBiasOffset = Shape::kBN * 4;
  static constexpr int kResidualOffset = 2 * Shape::kBN * 4;
  static constexpr int kResidualRowBytes = Shape::kBN;
  static constexpr int kBytesWithoutResidual = kResidualOffset;
  static constexpr int kBytesWithResidual = kResidualOffset + Shape::kBM * kResidualRowBytes;
};

// The 16-channel path (K a multiple of 16) reads its inputs from shared memory; the scalar path reads global
// memory. The launcher sizes the shared memory by the same tests.
__host__ __device__ inline bool epilogue_inputs_in_shared(const ConvFpropArgs& args) {
  return args.geometry.k % 16 == 0;
}
__host__ __device__ inline bool residual_in_shared(const ConvFpropArgs& args) {
  return epilogue_inputs_in_shared(args) && args.epilogue.residual_kind == ConvResidual::kInt8;
}

// Issues the cp.async copies of the block's epilogue inputs (see EpilogueInputs) and commits them as one group,
// which the mainloop's waits complete before its first slice (the last one, cp_async_wait<0>, before the
// epilogue). Channels outside K and rows outside M are zero-filled and never read.
template <class Shape>
__device__ __forceinline__ void prefetch_epilogue_inputs(const ConvFpropArgs& args, uint32_t inputs, int64_t block_m,
                                                         int block_n, int tid) {
  using Layout = EpilogueInputs<Shape>;
  const ConvEpilogue& e = args.epilogue;
  const int channels = args.geometry.k;
  if (epilogue_inputs_in_shared(args)) {
    constexpr int kParamChunks = Shape::kBN / 4;  // 4 floats per 16-byte chunk
    for (int chunk = tid; chunk < 2 * kParamChunks; chunk += Shape::kThreads) {
      const bool is_bias = chunk >= kParamChunks;
      const int k = block_n + (chunk % kParamChunks) * 4;
      const float* source = is_bias ? e.bias : e.scale;
      const bool valid = source != nullptr && k < channels;
      ptx::cp_async_16(inputs + static_cast<uint32_t>(chunk * 16), valid ? source + k : e.scale, valid);
    }
  }
  if (residual_in_shared(args)) {
    constexpr int kChunksPerRow = Shape::kBN / 16;
    const int64_t m_total = args.geometry.gemm_m();
    const auto* residual = static_cast<const int8_t*>(e.residual);
#pragma unroll 4
    for (int chunk = tid; chunk < Shape::kBM * kChunksPerRow; chunk += Shape::kThreads) {
      const int row = chunk / kChunksPerRow, col = (chunk % kChunksPerRow) * 16;
      const bool valid = block_m + row < m_total && block_n + col < channels;
      const int8_t* source = valid ? residual + (block_m + row) * channels + block_n + col : residual;
      ptx::cp_async_16(inputs + static_cast<uint32_t>(Layout::kResidualOffset + row * Layout::kResidualRowBytes + col),
                       source, valid);
    }
  }
  ptx::cp_async_commit();
}

// The residual of one row of a 16-channel column (int8: 16 bytes from the shared inputs; float: four 16-byte
// loads from global memory, a rare kind), and its float value per channel.
template <class Shape, ConvResidual Residual>
struct ResidualVector {
  __device__ void load(const ConvEpilogue&, const uint8_t*, int, int, int64_t) {}
  __device__ float value(const ConvEpilogue&, int) const { return 0.0f; }
};

// The int8 lanes are kept biased by 128 (bias_int8_lanes), which float_of_int8_lane turns into floats without a
// conversion instruction.
template <class Shape>
struct ResidualVector<Shape, ConvResidual::kInt8> {
  uint32_t biased[4];
  __device__ void load(const ConvEpilogue&, const uint8_t* inputs, int row, int col, int64_t) {
    const int4 raw = *reinterpret_cast<const int4*>(inputs + EpilogueInputs<Shape>::kResidualOffset +
                                                    row * EpilogueInputs<Shape>::kResidualRowBytes + col);
    biased[0] = bias_int8_lanes(static_cast<uint32_t>(raw.x));
    biased[1] = bias_int8_lanes(static_cast<uint32_t>(raw.y));
    biased[2] = bias_int8_lanes(static_cast<uint32_t>(raw.z));
    biased[3] = bias_int8_lanes(static_cast<uint32_t>(raw.w));
  }
  __device__ float value(const ConvEpilogue& e, int c) const {
    return __fmul_rn(float_of_int8_lane(biased[c / 4], c % 4), e.residual_scale);
  }
};

template <class Shape>
struct ResidualVector<Shape, ConvResidual::kFloat32> {
  float4 raw[4];
  __device__ void load(const ConvEpilogue& e, const uint8_t*, int, int, int64_t index) {
#pragma unroll
    for (int i = 0; i < 4; ++i)
      raw[i] = reinterpret_cast<const float4*>(static_cast<const float*>(e.residual) + index)[i];
  }
  __device__ float value(const ConvEpilogue&, int c) const {
    const float4& v = raw[c / 4];
    return c % 4 == 0 ? v.x : c % 4 == 1 ? v.y : c % 4 == 2 ? v.z : v.w;
  }
};

// Rows first_row, first_row + kRowStep, ... of one 16-channel column (channels k .. k + 15, all < K; K a
// multiple of 16, so every index is 16-element aligned). rows_left: rows of the tile inside M.
template <class Shape, ConvResidual Residual, ConvOutput Output, bool SmallReduction>
__device__ __forceinline__ void store_column16(const ConvFpropArgs& args, const uint8_t* tile,
                                               const uint8_t* inputs, int64_t block_m, int rows_left,
                                               int first_row, int col, int k) {
  using Tile = EpilogueTile<Shape>;
  constexpr int kChannels = Tile::kChannels;
  const ConvEpilogue& e = args.epilogue;
  const int channels = args.geometry.k;
  const float s = e.output_scale, inverse_s = reciprocal(s);
  const bool divide_every_row = !reciprocal_is_usable(inverse_s);  // a subnormal output scale (requantize.h)
  const float lower = e.relu ? 0.0f : -128.0f;  // of the int8 output's clamp: the relu (requantize.h)
  const auto* scale4 = reinterpret_cast<const float4*>(inputs + EpilogueInputs<Shape>::kScaleOffset + col * 4);
  const auto* bias4 = reinterpret_cast<const float4*>(inputs + EpilogueInputs<Shape>::kBiasOffset + col * 4);
  // Rows in groups of kEpilogueRowUnroll (the tile's choice: tile_shape.cuh, sm90_tile_shape.cuh): a group's
  // loads are all issued before its first store, so with few warps per SM (the sm_90 tiles) the rows'
  // shared-memory latencies overlap — the stores would otherwise order them, as the compiler cannot tell the
  // generic output pointer from the staging tile.
  constexpr int kUnroll = Shape::kEpilogueRowUnroll;
#pragma unroll 1
  for (int group = first_row; group < rows_left; group += kUnroll * Tile::kRowStep) {
    ResidualVector<Shape, Residual> residual[kUnroll];
    int4 acc_rows[kUnroll][4];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int row = group + u * Tile::kRowStep;
      if (row >= rows_left) continue;
      residual[u].load(e, inputs, row, col, (block_m + row) * channels + k);
#pragma unroll
      for (int i = 0; i < 4; ++i)
        acc_rows[u][i] = *reinterpret_cast<const int4*>(tile + Tile::chunk_offset(row, col / kChannels, i));
    }
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      const int row = group + u * Tile::kRowStep;
      if (row >= rows_left) continue;
      const int64_t index = (block_m + row) * channels + k;
      const ResidualVector<Shape, Residual>& r = residual[u];
      const int4 (&acc)[4] = acc_rows[u];
      auto value = [&](int32_t a, float scale, float bias, float residual_value) {
        return epilogue_value<Residual, Output, SmallReduction>(e, a, scale, bias, residual_value);
      };
      float y[kChannels];
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const float4 sc = scale4[i], bi = bias4[i];
        y[4 * i + 0] = value(acc[i].x, sc.x, bi.x, r.value(e, 4 * i + 0));
        y[4 * i + 1] = value(acc[i].y, sc.y, bi.y, r.value(e, 4 * i + 1));
        y[4 * i + 2] = value(acc[i].z, sc.z, bi.z, r.value(e, 4 * i + 2));
        y[4 * i + 3] = value(acc[i].w, sc.w, bi.w, r.value(e, 4 * i + 3));
      }
      if constexpr (Output == ConvOutput::kInt8) {
        // The row's 16 tests end in one branch (requantize.h); in the rare row where some element lies near a
        // half-integer (or is NaN), the whole row is requantized by division, after the host's relu. (Redoing
        // only those elements would keep 16 test results alive across the loop: two instructions per element.)
        bool near_tie = divide_every_row;
        uint32_t bits[kChannels];
#pragma unroll
        for (int c = 0; c < kChannels; ++c)
          bits[c] = bits_of(requantize_bits_unchecked(y[c], inverse_s, lower, near_tie));
        if (near_tie) {
#pragma unroll
          for (int c = 0; c < kChannels; ++c)
            bits[c] = bits_of(requantize_bits_by_division(e.relu ? relu_as_host(y[c]) : y[c], s));
        }
        uint32_t word[4];
#pragma unroll
        for (int i = 0; i < 4; ++i)
          word[i] = pack_low_bytes(bits[4 * i], bits[4 * i + 1], bits[4 * i + 2], bits[4 * i + 3]);
        *reinterpret_cast<int4*>(static_cast<int8_t*>(args.y) + index) =
            make_int4(static_cast<int>(word[0]), static_cast<int>(word[1]), static_cast<int>(word[2]),
                      static_cast<int>(word[3]));
      } else {
#pragma unroll
        for (int i = 0; i < 4; ++i)
          reinterpret_cast<float4*>(static_cast<float*>(args.y) + index)[i] =
              make_float4(y[4 * i], y[4 * i + 1], y[4 * i + 2], y[4 * i + 3]);
      }
    }
  }
}

// K not a multiple of 16: element by element, channels k .. min(k + 15, K − 1) of tile row `row` (output row m),
// whose tile column is col.
template <class Shape>
__device__ __forceinline__ void store_column_scalar(const ConvFpropArgs& args, const uint8_t* tile, int row, int col,
                                                    int64_t m, int k) {
  const ConvEpilogue& e = args.epilogue;
  const int channels = args.geometry.k;
  for (int c = 0; c < 16 && k + c < channels; ++c) {
    const int64_t index = m * channels + k + c;
    float r = 0.0f;
    if (e.residual_kind == ConvResidual::kInt8)
      r = __fmul_rn(static_cast<float>(static_cast<const int8_t*>(e.residual)[index]), e.residual_scale);
    else if (e.residual_kind == ConvResidual::kFloat32)
      r = static_cast<const float*>(e.residual)[index];
    const int32_t acc = *reinterpret_cast<const int32_t*>(tile + EpilogueTile<Shape>::offset(row, col + c));
    float y = __fmul_rn(static_cast<float>(acc), e.scale[k + c]);
    if (e.bias) y = __fadd_rn(y, e.bias[k + c]);
    if (e.residual_kind != ConvResidual::kNone) y = __fadd_rn(y, r);
    if (e.relu) y = relu_as_host(y);
    if (e.output_kind == ConvOutput::kInt8)
      static_cast<int8_t*>(args.y)[index] = requantize(y, e.output_scale, reciprocal(e.output_scale));
    else
      static_cast<float*>(args.y)[index] = y;
  }
}

// All threads of the block write the staged tile; (block_m, block_n) is the block's origin in [M, K]. Call
// after a barrier that follows stage_accumulators and the wait for prefetch_epilogue_inputs' copies.
template <class Shape>
__device__ __forceinline__ void store_conv_tile(const ConvFpropArgs& args, const uint8_t* tile,
                                                const uint8_t* inputs, int64_t block_m, int block_n,
                                                int tid) {
  using Tile = EpilogueTile<Shape>;
  const int col = (tid % Tile::kGroupsPerRow) * Tile::kChannels, first_row = tid / Tile::kGroupsPerRow;
  const int k = block_n + col;
  const int channels = args.geometry.k;
  if (k >= channels) return;
  const int64_t rows_in_m = args.geometry.gemm_m() - block_m;
  const int rows_left = rows_in_m < Shape::kBM ? static_cast<int>(rows_in_m) : Shape::kBM;
  if (channels % Tile::kChannels != 0) {
    for (int row = first_row; row < rows_left; row += Tile::kRowStep)
      store_column_scalar<Shape>(args, tile, row, col, block_m + row, k);
    return;
  }
  const ConvResidual residual = args.epilogue.residual_kind;
  const bool int8_out = args.epilogue.output_kind == ConvOutput::kInt8;
  // The short conversion of the accumulators only where the epilogue is the bottleneck: int8 outputs.
  const bool small_reduction = int8_out && args.geometry.gemm_k() <= kSmallReductionMax;
#define QATRT_STORE_COLUMN(R, O, SMALL) \
  store_column16<Shape, ConvResidual::R, ConvOutput::O, SMALL>(args, tile, inputs, block_m, rows_left, first_row, \
                                                               col, k)
  if (residual == ConvResidual::kNone)
    small_reduction ? QATRT_STORE_COLUMN(kNone, kInt8, true)
    : int8_out      ? QATRT_STORE_COLUMN(kNone, kInt8, false)
                    : QATRT_STORE_COLUMN(kNone, kFloat32, false);
  else if (residual == ConvResidual::kInt8)
    small_reduction ? QATRT_STORE_COLUMN(kInt8, kInt8, true)
    : int8_out      ? QATRT_STORE_COLUMN(kInt8, kInt8, false)
                    : QATRT_STORE_COLUMN(kInt8, kFloat32, false);
  else
    small_reduction ? QATRT_STORE_COLUMN(kFloat32, kInt8, true)
    : int8_out      ? QATRT_STORE_COLUMN(kFloat32, kInt8, false)
                    : QATRT_STORE_COLUMN(kFloat32, kFloat32, false);
#undef QATRT_STORE_COLUMN
}

}  // namespace qatrt::cuda::conv_int8
