// The Hopper (sm_90a) INT8 GEMM kernel for stride-1 1×1 convolutions and its launcher. Included only by
// conv_fprop_s8nhwc_s8krsc_s32acc_sm90.cu.
//
// Warp roles: warps 0 .. 4·W − 1 are W consumer warpgroups (wgmma, then the epilogue), warp 4·W is the
// producer (one thread issues the TMA copies). A block is persistent over its output tiles (TileWalk), and
// the producer runs up to kStages slices ahead, into the next tile while the consumers are in the current
// tile's epilogue, so the operand loads of tile i + 1 overlap the output stage of tile i.
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
#include "backends/cuda/conv_int8/sm90_mainloop.cuh"
#include "backends/cuda/conv_int8/sm90_pipeline.cuh"
#include "backends/cuda/conv_int8/sm90_tile_shape.cuh"

namespace qatrt::cuda::conv_int8 {

// Shape::kInputBuffers buffers of epilogue inputs: with 2, tile i + 1's are copied while tile i's epilogue reads
// its own; with 1, a tile's inputs are copied at its start (less shared memory: more blocks per SM).
template <class Shape>
inline constexpr int kSm90InputBufferBytes = EpilogueInputs<Shape>::kBytesWithResidual;
template <class Shape>
using Sm90Layout =
    Sm90SharedLayout<Shape, EpilogueTile<Shape>::kBytes, Shape::kInputBuffers * kSm90InputBufferBytes<Shape>>;

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
    ptx::tma_prefetch_descriptor(&a_map);
    ptx::tma_prefetch_descriptor(&b_map);
  }
  __syncthreads();  // the last block-wide barrier: from here on the roles synchronise through mbarriers

  if (warp == Shape::kProducerWarp) {
    if (lane == 0) produce_slices<Shape, Layout>(ring, walk, &a_map, &b_map);
    return;
  }

  const int tid = static_cast<int>(threadIdx.x), warpgroup = warp / 4;
  uint8_t* staging = shared + Layout::kStagingOffset;
  constexpr int kAhead = Shape::kInputBuffers - 1;  // tiles between a copy of inputs and their use
  auto inputs = [shared](int tile_index) {           // the input buffer of the block's tile_index-th tile
    return shared + Layout::kInputsOffset + (tile_index % Shape::kInputBuffers) * kSm90InputBufferBytes<Shape>;
  };
  // One cp.async group per tile, committed kAhead tiles ahead (an empty group past the last tile): waiting for
  // all but the newest kAhead groups completes the current tile's inputs.
  auto prefetch_inputs = [&](int tile, int tile_index) {
    if (tile < walk.tiles)
      prefetch_epilogue_inputs<Shape>(args, ptx::shared_address(inputs(tile_index)), walk.block_m(tile),
                                      walk.block_n(tile), tid);
    else
      ptx::cp_async_commit();
  };
  RingPosition<Shape::kStages> at;
  int32_t acc[Shape::kAccumulators];
  if constexpr (kAhead == 1) prefetch_inputs(blockIdx.x, 0);
  for (int tile = blockIdx.x, i = 0; tile < walk.tiles; tile += gridDim.x, ++i) {
    const int m0 = walk.block_m(tile), n0 = walk.block_n(tile);
    // That buffer was last read by tile i − 1's epilogue (or by this tile's, with one buffer: the same one),
    // which ended at that tile's second barrier.
    prefetch_inputs(tile + kAhead * gridDim.x, i + kAhead);
    accumulate_gemm_tile<Shape, Layout>(ring, at, walk.k_slices, warpgroup, lane, acc);
    stage_gemm_accumulators<Shape>(staging, acc, warpgroup, warp % 4, lane);
    ptx::cp_async_wait<kAhead>();
    ptx::named_barrier_sync(1, Shape::kThreads);  // staged tile and this tile's epilogue inputs complete
    store_conv_tile<Shape>(args, staging, inputs(i), m0, n0, tid);
    ptx::named_barrier_sync(1, Shape::kThreads);  // every consumer is done reading the staging tile and inputs
  }
  ptx::cp_async_wait<0>();  // nothing may land in shared memory after the block has left
#endif
}

// Enqueues the kernel over a persistent grid: as many blocks as fit on the device at once (or one per tile).
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
