// The Hopper (sm_90a) INT8 implicit-GEMM kernel and its launcher. Included only by
// conv_fprop_s8nhwc_s8krsc_s32acc_sm90.cu.
//
// Warp roles: warps 0 .. 4·W − 1 are W consumer warpgroups (wgmma, then the epilogue), the warps after them
// the producer: for the 1×1 tiles one warp, whose first thread issues the TMA copies of A and B; for the
// gathering tiles Shape::kProducerWarps warps that copy A with cp.async, one thread also B with the TMA
// (sm90_gather.cuh). A block is persistent over its output tiles (TileWalk), and the producer runs up to
// kStages slices ahead, into the next tile while the consumers are in the current tile's epilogue, so the
// operand loads of tile i + 1 overlap the output stage of tile i.
// Cooperative schedule: the W warpgroups share every tile. Ping-pong (sm90_tile_shape.cuh): warpgroup g takes
// the block's tiles g, g + 2, ... with its own staging tile, input buffers and named barrier (id 1 + g); the
// producer fills the ring in the block's tile order, and a warpgroup starts a tile's mainloop only once the
// other has waited for every slice of the tile before it (order barriers), so the mainloops alternate and each
// one's epilogue runs while the other multiplies. The order also keeps the ring's parity waits sound: without
// it a warpgroup could wait on a stage two fills ahead of the last completed one, where the parity of the fill
// it wants equals that of the one before, which passes at once (stale operands, then a hang).
// Per tile the consumers: start the cp.async copies of the next tile's epilogue inputs (scale, bias, int8
// residual; double-buffered, so their latency hides behind this tile — or this tile's, single-buffered), run
// the mainloop, stage the accumulators, and write the outputs with the shared epilogue — the same code and
// float order as the sm_80 kernel, so both are bit-identical to the reference backend.
#pragma once

#include <cstdint>

#include <cuda.h>  // CUtensorMap (a type only: nothing is linked from the driver library)
#include <cuda_runtime.h>

#include "backends/cuda/conv_int8/epilogue.cuh"
#include "backends/cuda/conv_int8/launch_support.cuh"
#include "backends/cuda/conv_int8/problem.h"
#include "backends/cuda/conv_int8/sm90_gather.cuh"
#include "backends/cuda/conv_int8/sm90_mainloop.cuh"
#include "backends/cuda/conv_int8/sm90_pipeline.cuh"
#include "backends/cuda/conv_int8/sm90_tile_shape.cuh"

namespace qatrt::cuda::conv_int8 {

// Shape::kInputBuffers buffers of epilogue inputs: with 2, tile i + 1's are copied while tile i's epilogue reads
// its own; with 1, a tile's inputs are copied at its start (less shared memory: more blocks per SM).
template <class Shape>
inline constexpr int kSm90InputBufferBytes = EpilogueInputs<Shape>::kBytesWithResidual;
template <class Shape>
using Sm90Layout = Sm90SharedLayout<Shape, Shape::kTileGroups * EpilogueTile<Shape>::kBytes,
                                    Shape::kTileGroups * Shape::kInputBuffers * kSm90InputBufferBytes<Shape>>;

template <class Shape>
__global__ void __launch_bounds__(Shape::kBlockThreads, Shape::kMinBlocksPerSm)
    conv_gemm_sm90_kernel(const ConvFpropArgs args, const __grid_constant__ CUtensorMap a_map,
                          const __grid_constant__ CUtensorMap b_map) {
#ifdef QATRT_SM90_KERNELS
  using Layout = Sm90Layout<Shape>;
  extern __shared__ uint8_t shared_raw[];
  const uint32_t raw = ptx::shared_address(shared_raw);
  uint8_t* shared = shared_raw + ((Layout::kAlignment - raw % Layout::kAlignment) % Layout::kAlignment);
  const Ring<Shape, Layout> ring{ptx::shared_address(shared)};
  const TileWalk<Shape> walk(args.geometry);
  const int warp = static_cast<int>(threadIdx.x >> 5), lane = static_cast<int>(threadIdx.x & 31);

  if (threadIdx.x == 0) ring.init();
  if (warp == Shape::kProducerWarp && lane == 0) {
    if constexpr (!Shape::kGatherA) ptx::tma_prefetch_descriptor(&a_map);  // the gathering tiles never read it
    ptx::tma_prefetch_descriptor(&b_map);
  }
  __syncthreads();  // the last block-wide barrier: from here on the roles synchronise through mbarriers

  if (warp >= Shape::kProducerWarp) {
    if constexpr (Shape::kGatherA)
      produce_gathered_slices<Shape, Layout>(ring, walk, args, &b_map,
                                             static_cast<int>(threadIdx.x) - 32 * Shape::kProducerWarp);
    else if (lane == 0)
      produce_slices<Shape, Layout>(ring, walk, &a_map, &b_map);
    return;
  }

  // group: which of the block's tiles in progress this warpgroup works on (always 0 when cooperative);
  // warpgroup: its index among the warpgroups of that tile; tid: its thread index in the tile's epilogue.
  const int group = Shape::kTileGroups == 1 ? 0 : warp / 4, warpgroup = (warp / 4) % Shape::kTileWarpgroups;
  const int tid = static_cast<int>(threadIdx.x) - group * Shape::kThreads;
  // The group's named barrier, 1 or 2, as an immediate: a barrier id held in a register makes ptxas reserve
  // all 16 of the block's barriers.
  auto sync_tile = [group] {
    if (group == 0)
      ptx::named_barrier_sync(1, Shape::kThreads);
    else
      ptx::named_barrier_sync(2, Shape::kThreads);
  };
  uint8_t* staging = shared + Layout::kStagingOffset + group * EpilogueTile<Shape>::kBytes;
  constexpr int kAhead = Shape::kInputBuffers - 1;  // the group's tiles between a copy of inputs and their use
  auto inputs = [shared, group](int tile_index) {   // the input buffer of the group's tile_index-th tile
    return shared + Layout::kInputsOffset +
           (group * Shape::kInputBuffers + tile_index % Shape::kInputBuffers) * kSm90InputBufferBytes<Shape>;
  };
  const int step = Shape::kTileGroups * static_cast<int>(gridDim.x);  // from one of the group's tiles to the next
  // One cp.async group per tile, committed kAhead tiles ahead (an empty group past the last tile): waiting for
  // all but the newest kAhead groups completes the current tile's inputs.
  auto prefetch_inputs = [&](int tile, int tile_index) {
    if (tile < walk.tiles)
      prefetch_epilogue_inputs<Shape>(args, ptx::shared_address(inputs(tile_index)), walk.block_m(tile),
                                      walk.block_n(tile), tid);
    else
      ptx::cp_async_commit();
  };
  // The ring holds the slices of the block's tiles in order; the group's own start after `group` tiles of
  // k_slices slices each, and the other groups' tiles are skipped after each of its own.
  RingPosition<Shape::kStages> at;
  at.skip(group * walk.k_slices);
  int32_t acc[Shape::kAccumulators];
  const int first_tile = static_cast<int>(blockIdx.x) + group * static_cast<int>(gridDim.x);
  if constexpr (kAhead == 1) prefetch_inputs(first_tile, 0);
  for (int tile = first_tile, i = 0; tile < walk.tiles; tile += step, ++i) {
    const int m0 = walk.block_m(tile), n0 = walk.block_n(tile);
    // That buffer was last read by tile i − 1's epilogue (or by this tile's, with one buffer: the same one),
    // which ended at that tile's second barrier.
    prefetch_inputs(tile + kAhead * step, i + kAhead);
    if constexpr (Shape::kPingPong) {  // the tile before this one in the block's order is the other group's
      if (group == 1)
        ptx::mbarrier_wait(ring.mainloop_done(0), static_cast<uint32_t>(i) & 1);  // its i-th tile
      else if (i > 0)
        ptx::mbarrier_wait(ring.mainloop_done(1), static_cast<uint32_t>(i - 1) & 1);  // its (i − 1)-th
    }
    accumulate_gemm_tile<Shape, Layout>(ring, at, walk.k_slices, warpgroup, lane, acc);
    if constexpr (Shape::kPingPong)
      if (lane == 0) ptx::mbarrier_arrive(ring.mainloop_done(group));
    at.skip((Shape::kTileGroups - 1) * walk.k_slices);
    stage_gemm_accumulators<Shape>(staging, acc, warpgroup, warp % 4, lane);
    ptx::cp_async_wait<kAhead>();
    sync_tile();  // staged tile and this tile's epilogue inputs complete
    store_conv_tile<Shape>(args, staging, inputs(i), m0, n0, tid);
    sync_tile();  // the tile's consumers are done with its staging tile and inputs
  }
  ptx::cp_async_wait<0>();  // nothing may land in shared memory after the block has left
#endif
}

// Enqueues the kernel over a persistent grid: as many blocks as fit on the device at once (or one per tile).
// a_map: A's tensor map for the 1×1 tiles; ignored (may be zero) for the gathering ones.
template <class Shape>
cudaError_t launch_conv_gemm_sm90(const ConvFpropArgs& args, const CUtensorMap& a_map, const CUtensorMap& b_map,
                                  cudaStream_t stream) {
  constexpr auto kernel = conv_gemm_sm90_kernel<Shape>;
  constexpr int kSharedBytes = Sm90Layout<Shape>::kAllocationBytes;
  cudaError_t err = allow_shared_memory<kernel>(kSharedBytes);
  int device = 0, sms = 0, blocks_per_sm = 0;
  if (err == cudaSuccess) err = cudaGetDevice(&device);
  if (err == cudaSuccess) err = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  if (err == cudaSuccess)
    err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&blocks_per_sm, kernel, Shape::kBlockThreads, kSharedBytes);
  if (err != cudaSuccess) return err;
  if (blocks_per_sm < 1) return cudaErrorInvalidConfiguration;
  const ConvGeometry& g = args.geometry;
  const int64_t tiles = ceil_div(g.gemm_m(), Shape::kBM) * ceil_div(g.k, Shape::kBN);
  const int64_t resident = int64_t{sms} * blocks_per_sm;
  const unsigned blocks = static_cast<unsigned>(tiles < resident ? tiles : resident);
  kernel<<<blocks, Shape::kBlockThreads, kSharedBytes, stream>>>(args, a_map, b_map);
  return cudaGetLastError();
}

}  // namespace qatrt::cuda::conv_int8
