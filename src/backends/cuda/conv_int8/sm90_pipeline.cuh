// The loads of the Hopper INT8 implicit GEMM (sm90_tile_shape.cuh): the block's walk over output tiles, the
// ring of pipeline stages with its mbarriers, and the TMA producer of the 1×1 tiles that fills the ring (the
// gathering producer of the other convolutions: sm90_gather.cuh).
//
// Tensors as the TMA sees them (tensor maps built on the host, conv_fprop_s8nhwc_s8krsc_s32acc_sm90.cu):
//   A = x as [M, C] int8 rows (NHWC with P = H, Q = W; 1×1 tiles only), box 64 bytes × BM rows;
//   B = w as [K, R·S·C] int8 rows (KRSC),                              box 64 bytes × BN rows;
// both with the 64-byte swizzle that the wgmma descriptors expect. Rows past M or K and bytes past C (R·S·C)
// arrive as zeros, so partial tiles and a half last slice need no special case in the loads; the epilogue
// skips what lies outside [M, K].
#pragma once

#include <cstdint>

#include "backends/cuda/conv_int8/problem.h"
#include "backends/cuda/tma_mbarrier_sm90.cuh"

namespace qatrt::cuda::conv_int8 {

#ifdef QATRT_SM90_KERNELS

// Position in the ring: stage index and the parity of its current use (flips each time the ring wraps).
template <int Stages>
struct RingPosition {
  int stage = 0;
  uint32_t phase = 0;
  __device__ void advance() {
    if (++stage == Stages) {
      stage = 0;
      phase ^= 1;
    }
  }
  // Moves past `slices` positions (another warpgroup's tile, in the ping-pong schedule).
  __device__ void skip(int slices) {
    const int position = stage + slices;
    stage = position % Stages;
    phase ^= static_cast<uint32_t>(position / Stages) & 1;
  }
};

// The output tiles of one block: tiles t = blockIdx.x, blockIdx.x + gridDim.x, ...; tile t covers rows
// (t / n_tiles)·BM and channels (t % n_tiles)·BN, so the N tiles of one M tile run at nearly the same time on
// neighbouring blocks, which then read the same activation rows from L2.
template <class Shape>
struct TileWalk {
  int n_tiles, tiles, k_slices;
  __device__ explicit TileWalk(const ConvGeometry& g)
      : n_tiles((g.k + Shape::kBN - 1) / Shape::kBN),
        tiles(static_cast<int>((g.gemm_m() + Shape::kBM - 1) / Shape::kBM) * n_tiles),
        k_slices(static_cast<int>((g.gemm_k() + Shape::kBK - 1) / Shape::kBK)) {}
  __device__ int block_m(int tile) const { return (tile / n_tiles) * Shape::kBM; }
  __device__ int block_n(int tile) const { return (tile % n_tiles) * Shape::kBN; }
};

// Shared addresses of the stages and their barriers (Sm90SharedLayout).
template <class Shape, class Layout>
struct Ring {
  uint32_t base;
  __device__ uint32_t a_tile(int stage) const { return base + Layout::kStagesOffset + stage * Shape::kStageBytes; }
  __device__ uint32_t b_tile(int stage) const { return a_tile(stage) + Shape::kATileBytes; }
  __device__ uint32_t full(int stage) const { return base + Layout::kFullBarriersOffset + 8 * stage; }
  __device__ uint32_t empty(int stage) const { return base + Layout::kEmptyBarriersOffset + 8 * stage; }
  // Ping-pong: phase j completes when warpgroup `group` has waited for every slice of its j-th tile.
  __device__ uint32_t mainloop_done(int group) const { return base + Layout::kOrderBarriersOffset + 8 * group; }

  // One thread: the producer's TMA thread announces itself once per phase (with the bytes), and so does each
  // gathering thread (sm90_gather.cuh); the warps of the tile that reads the stage one each (on the order
  // barriers too).
  __device__ void init() const {
    for (int s = 0; s < Shape::kStages; ++s) {
      ptx::mbarrier_init(full(s), Shape::kFullArrivals);
      ptx::mbarrier_init(empty(s), Shape::kConsumerWarps);
    }
    if constexpr (Shape::kPingPong)
      for (int g = 0; g < Shape::kTileGroups; ++g) ptx::mbarrier_init(mainloop_done(g), Shape::kConsumerWarps);
    ptx::fence_barrier_init();
  }
};

// The TMA producer of the 1×1 tiles (one thread): for every tile of the block and every slice of its
// reduction, waits until the consumers have released the stage, then has the TMA copy A's and B's slice into it.
template <class Shape, class Layout>
__device__ __forceinline__ void produce_slices(const Ring<Shape, Layout>& ring, const TileWalk<Shape>& walk,
                                               const void* a_map, const void* b_map) {
  RingPosition<Shape::kStages> at;
  for (int tile = blockIdx.x; tile < walk.tiles; tile += gridDim.x) {
    const int m0 = walk.block_m(tile), n0 = walk.block_n(tile);
    for (int slice = 0; slice < walk.k_slices; ++slice) {
      ptx::mbarrier_wait(ring.empty(at.stage), at.phase ^ 1);
      ptx::mbarrier_arrive_expect_tx(ring.full(at.stage), Shape::kTmaStageBytes);
      ptx::tma_load_2d(ring.a_tile(at.stage), a_map, ring.full(at.stage), slice * Shape::kBK, m0);
      ptx::tma_load_2d(ring.b_tile(at.stage), b_map, ring.full(at.stage), slice * Shape::kBK, n0);
      at.advance();
    }
  }
}

#endif  // QATRT_SM90_KERNELS

}  // namespace qatrt::cuda::conv_int8
