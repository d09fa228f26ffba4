// The gathering producer of the Hopper INT8 implicit-GEMM kernel (Sm90TileShape with GatherWarps > 0): it
// fills the ring (sm90_pipeline.cuh) for convolutions that are not plain GEMMs — 3×3 with padding, strided
// 1×1, any filter over 32 or more stored channels — whose A operand is a gather: row m = output pixel
// (n, p, q), reduction byte k = (r, s, c) of it = x[n, p·σh − πh + r, q·σw − πw + s, c], or 0 in the padding.
//
// Why cp.async and not the TMA's im2col mode: the im2col tensor map walks a bounding box of pixels whose
// corners, element strides and pixels-per-column must be set so that its traversal (across rows and images, at
// partial tiles) matches our row order exactly, and each 64-byte slice of a tap would need the (s, r) offsets
// of its own — semantics that can only be verified on a device, while a mismatch gives silently wrong bytes.
// The gather below reuses the sm_80 kernel's activation iterator (iterators.cuh), which the bit-exact tests
// already cover for every geometry, including C = 32, where a 64-byte slice straddles two taps (each 16-byte
// chunk keeps its own (r, s, c); a chunk never straddles, as C is a multiple of 32). Only the shared layout
// differs: the TMA's 64-byte swizzle that the wgmma descriptors read (wgmma_int8.cuh). B (weights, rows of
// R·S·C bytes) stays on the 2-D TMA.
//
// Synchronisation of one stage (counts in Sm90TileShape: kFullArrivals = 1 + kGatherThreads):
//   every gathering thread waits for the stage's empty barrier (a parity wait reads, never changes the barrier,
//   so all of them may wait on it), issues its 16-byte copies of the slice (zero-fill where the window lies in
//   the padding or the row past M or the byte past R·S·C), then cp.async.mbarrier.arrive.noinc: one arrival
//   each on the full barrier, made by the hardware once that thread's copies have landed — the producer never
//   waits for its own copies, so it cannot deadlock on them;
//   gathering thread 0 also announces the B tile's bytes (arrive.expect_tx, one more arrival, before its TMA
//   copy in program order, so the transaction count never goes below zero) and issues the TMA copy of B.
// The phase completes when all 1 + kGatherThreads arrivals happened and B's bytes landed. No gathering thread
// can arrive on a later phase of the same stage early: its next use of the stage waits for the empty barrier,
// which the consumers complete only after this phase completed and they have read the stage.
// The consumers issue fence.proxy.async after the full barrier's wait (sm90_mainloop.cuh): cp.async writes
// through the generic proxy, wgmma reads through the async proxy.
#pragma once

#include <cstdint>

#include "backends/cuda/conv_int8/iterators.cuh"
#include "backends/cuda/conv_int8/problem.h"
#include "backends/cuda/conv_int8/sm90_pipeline.cuh"
#include "backends/cuda/tma_mbarrier_sm90.cuh"

namespace qatrt::cuda::conv_int8 {

// The activation iterator's view of the gathering threads (ActivationTileIterator's Shape): thread t copies
// 16-byte chunk t % 4 of rows t / 4, t / 4 + kRowsPerPass, ... of the BM×64-byte A tile.
template <class Shape>
struct Sm90GatherCopyShape {
  static constexpr int kBM = Shape::kBM, kBK = Shape::kBK;
  static constexpr int kChunksPerRow = kBK / 16;
  static constexpr int kRowsPerPass = Shape::kGatherThreads / kChunksPerRow;
  static_assert(kBK == 64 && kBM % kRowsPerPass == 0, "whole passes over 64-byte rows");

#ifdef QATRT_SM90_KERNELS
  // The TMA's 64-byte swizzle (wgmma_int8.cuh): inside each 512-byte group of 8 rows, chunk j of row r sits at
  // chunk j ^ ((r >> 1) & 3). The stage's A tile starts on a 512-byte boundary (Sm90TileShape).
  __device__ static uint32_t tile_offset(int row, int chunk) {
    return static_cast<uint32_t>(row * 64 + ((chunk ^ ((row >> 1) & 3)) << 4));
  }
#endif
};

#ifdef QATRT_SM90_KERNELS

// The gathering producer: thread gather_tid (0 .. kGatherThreads − 1) of the producer warps, over the block's
// tiles in the same order and ring positions as the consumers (TileWalk, RingPosition).
template <class Shape, class Layout>
__device__ __forceinline__ void produce_gathered_slices(const Ring<Shape, Layout>& ring, const TileWalk<Shape>& walk,
                                                        const ConvFpropArgs& args, const void* b_map,
                                                        int gather_tid) {
  using CopyShape = Sm90GatherCopyShape<Shape>;
  RingPosition<Shape::kStages> at;
  for (int tile = blockIdx.x; tile < walk.tiles; tile += gridDim.x) {
    const int m0 = walk.block_m(tile), n0 = walk.block_n(tile);
    ActivationTileIterator<CopyShape> a_rows(args.geometry, args.x, m0, gather_tid);
    for (int slice = 0; slice < walk.k_slices; ++slice) {
      ptx::mbarrier_wait(ring.empty(at.stage), at.phase ^ 1);
      if (gather_tid == 0) {
        ptx::mbarrier_arrive_expect_tx(ring.full(at.stage), Shape::kTmaStageBytes);
        ptx::tma_load_2d(ring.b_tile(at.stage), b_map, ring.full(at.stage), slice * Shape::kBK, n0);
      }
      a_rows.load(ring.a_tile(at.stage));
      a_rows.advance();
      ptx::cp_async_mbarrier_arrive_noinc(ring.full(at.stage));
      at.advance();
    }
  }
  // The consumers wait for every slice, so every copy lands while the block lives; waiting here as well keeps
  // this thread from retiring with copies in flight.
  ptx::cp_async_wait_all();
}

#endif  // QATRT_SM90_KERNELS

}  // namespace qatrt::cuda::conv_int8
