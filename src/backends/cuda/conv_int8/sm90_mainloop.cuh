// The consumers' mainloop of the Hopper INT8 GEMM: each warpgroup multiplies its 64 rows of the block's A
// tile with the BN rows of B, slice after slice, as the producer's copies land (sm90_pipeline.cuh), then
// hands its accumulators to the shared epilogue through the staging tile (epilogue.cuh, EpilogueTile).
//
// One wgmma group (two k32 steps) per slice is kept in flight: after issuing slice t the warp waits for slice
// t − 1's group only, then releases that slice's stage to the producer, so the tensor cores always have the
// next slice queued while a stage is handed back.
#pragma once

#include <cstdint>

#include "backends/cuda/conv_int8/epilogue.cuh"
#include "backends/cuda/conv_int8/sm90_pipeline.cuh"
#include "backends/cuda/wgmma_int8.cuh"

namespace qatrt::cuda::conv_int8 {

#ifdef QATRT_SM90_KERNELS

// Accumulates one tile's whole reduction (k_slices slices) into acc, which it zeroes first; `at` is the ring
// position of the tile's first slice and is left at the next tile's. warpgroup: the warpgroup's index among
// those sharing the tile, 0 .. kTileWarpgroups − 1.
template <class Shape, class Layout>
__device__ __forceinline__ void accumulate_gemm_tile(const Ring<Shape, Layout>& ring, RingPosition<Shape::kStages>& at,
                                                     int k_slices, int warpgroup, int lane,
                                                     int32_t (&acc)[Shape::kAccumulators]) {
#pragma unroll
  for (int i = 0; i < Shape::kAccumulators; ++i) acc[i] = 0;
  const uint32_t a_offset = static_cast<uint32_t>(warpgroup * 64 * Shape::kBK);
  int previous_stage = -1;
  for (int slice = 0; slice < k_slices; ++slice) {
    ptx::mbarrier_wait(ring.full(at.stage), at.phase);
    // A gathered A tile was written by cp.async (generic proxy), which the wgmma (async proxy) reads only
    // after a proxy fence; this thread has observed those writes through the barrier's acquire.
    if constexpr (Shape::kGatherA) ptx::fence_proxy_async_shared();
    ptx::wgmma_fence();
    ptx::wgmma_fence_registers(acc);
#pragma unroll
    for (int step = 0; step < Shape::kBK / 32; ++step) {
      const uint64_t a = ptx::wgmma_descriptor_k64_swizzle64(ring.a_tile(at.stage) + a_offset + 32 * step);
      const uint64_t b = ptx::wgmma_descriptor_k64_swizzle64(ring.b_tile(at.stage) + 32 * step);
      ptx::wgmma_m64nNk32_s8(acc, a, b);
    }
    ptx::wgmma_commit_group();
    ptx::wgmma_fence_registers(acc);
    ptx::wgmma_wait_group<1>();
    if (previous_stage >= 0 && lane == 0) ptx::mbarrier_arrive(ring.empty(previous_stage));
    previous_stage = at.stage;
    at.advance();
  }
  ptx::wgmma_wait_group<0>();
  ptx::wgmma_fence_registers(acc);
  if (previous_stage >= 0 && lane == 0) ptx::mbarrier_arrive(ring.empty(previous_stage));
}

// Writes a warpgroup's accumulators (layout in wgmma_int8.cuh) into the epilogue's staging tile; warp: the
// warp's index inside its warpgroup.
template <class Shape>
__device__ __forceinline__ void stage_gemm_accumulators(uint8_t* tile, const int32_t (&acc)[Shape::kAccumulators],
                                                        int warpgroup, int warp, int lane) {
  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int j = 0; j < Shape::kBN / 8; ++j)
#pragma unroll
    for (int half = 0; half < 2; ++half) {
      const int row = 64 * warpgroup + 16 * warp + g + 8 * half, col = 8 * j + 2 * t;
      *reinterpret_cast<int2*>(tile + EpilogueTile<Shape>::offset(row, col)) =
          make_int2(acc[4 * j + 2 * half], acc[4 * j + 2 * half + 1]);
    }
}

#endif  // QATRT_SM90_KERNELS

}  // namespace qatrt::cuda::conv_int8
