// Compile-time shape of one threadblock of the INT8 convolution, and the shared-memory layout of its tiles.
//
// A block computes a BM×BN tile of the [M, K] output, stepping through the reduction BK = 64 bytes at a time;
// each of its warps owns a WM×WN piece, i.e. (WM/16)×(WN/8) mma blocks of 16×8 int32 accumulators.
// Both operand tiles are stored "K-contiguous": BM (or BN) rows of 64 bytes, as 4 chunks of 16 bytes.
#pragma once

#include <cstdint>

namespace qatrt::cuda::conv_int8 {

// Byte offset of 16-byte chunk `chunk` (0..3) of row `row` in a tile of 64-byte rows. Two rows share one
// 128-byte line (all 32 banks); the chunk's slot in its line is XORed with the line index, so the 8 rows ×
// 16 bytes that one ldmatrix matrix reads (rows 8i..8i+7, one chunk) land in 8 different slots — no bank
// conflicts — and so do the 16-byte cp.async writes of 8 consecutive lanes.
__device__ __forceinline__ uint32_t swizzled_offset(int row, int chunk) {
  const int line = row >> 1;
  const int slot = (((row & 1) << 2) | chunk) ^ (line & 7);
  return static_cast<uint32_t>(line * 128 + slot * 16);
}

// PrefetchFragments: load the next k-step's register fragments before the current k-step's mma (see
// mainloop.cuh). It hides shared-memory latency at the cost of a second set of fragment registers; measured
// on an H200 it pays for the small 32×32 warp tiles and loses for 64×64 ones (255 registers, spills).
// MinBlocksPerSm: the occupancy the register allocation must allow (__launch_bounds__). Without it ptxas gave
// the 64×64 tile 95 registers once the epilogue worked on 16 channels (5 blocks per SM instead of 6, and the
// short-reduction layers slower); with it, 80 and no spills.
template <int BM_, int BN_, int WM_, int WN_, int Stages_, int MinBlocksPerSm_, bool PrefetchFragments_ = false>
struct TileShape {
  static constexpr bool kPrefetchFragments = PrefetchFragments_;
  static constexpr int kMinBlocksPerSm = MinBlocksPerSm_;
  // The epilogue's rows one at a time: unrolled by 2 it measured 1-5 % slower (H200), the 64×64 tile at the
  // edge of its registers.
  static constexpr int kEpilogueRowUnroll = 1;
  static constexpr int kBM = BM_, kBN = BN_, kBK = 64;
  static constexpr int kWM = WM_, kWN = WN_;
  static constexpr int kStages = Stages_;
  static constexpr int kWarpsM = kBM / kWM, kWarpsN = kBN / kWN;
  static constexpr int kThreads = 32 * kWarpsM * kWarpsN;
  static constexpr int kMmaM = kWM / 16, kMmaN = kWN / 8;  // mma blocks per warp
  static constexpr int kChunksPerRow = kBK / 16;
  static constexpr int kRowsPerPass = kThreads / kChunksPerRow;  // rows one pass of 16-byte copies covers
  static constexpr int kStageBytes = (kBM + kBN) * kBK;
  static constexpr int kSharedBytes = kStages * kStageBytes;
  // Where the tile iterators (iterators.cuh) put a row's 16-byte chunk.
  __device__ static uint32_t tile_offset(int row, int chunk) { return swizzled_offset(row, chunk); }

  static_assert(kBM % kWM == 0 && kBN % kWN == 0, "warps must tile the block");
  static_assert(kWM % 16 == 0 && kWN % 16 == 0, "a warp loads B for pairs of n8 blocks");
  static_assert(kBM % kRowsPerPass == 0 && kBN % kRowsPerPass == 0, "copy passes must tile the block");
  static_assert(kStages >= 3, "the mainloop keeps two tiles in flight while computing a third");
};

}  // namespace qatrt::cuda::conv_int8
