// The INT8 implicit-GEMM convolution kernel for one TileShape, and its launcher. Included only by the .cu file
// that instantiates the tile shapes (conv_fprop_s8nhwc_s8krsc_s32acc_sm80.cu).
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

#include "backends/cuda/conv_int8/epilogue.cuh"
#include "backends/cuda/conv_int8/iterators.cuh"
#include "backends/cuda/conv_int8/launch_support.cuh"
#include "backends/cuda/conv_int8/mainloop.cuh"
#include "backends/cuda/conv_int8/problem.h"
#include "backends/cuda/conv_int8/tile_shape.cuh"

namespace qatrt::cuda::conv_int8 {

// Dynamic shared memory of a block: the mainloop's stages, later reused for the epilogue's tile, then the
// epilogue's inputs (EpilogueInputs), which the mainloop must not overwrite.
template <class Shape>
__host__ __device__ constexpr int kernel_staging_bytes() {
  return Shape::kSharedBytes > EpilogueTile<Shape>::kBytes ? Shape::kSharedBytes : EpilogueTile<Shape>::kBytes;
}
template <class Shape>
constexpr int kernel_shared_bytes(bool with_residual_tile) {
  return kernel_staging_bytes<Shape>() + (with_residual_tile ? EpilogueInputs<Shape>::kBytesWithResidual
                                                             : EpilogueInputs<Shape>::kBytesWithoutResidual);
}

// One block per BM×BN output tile. The N tiles of one M tile are neighbours in launch order, so the blocks
// running together read the same activation rows (and the small weight tensor stays in L2).
template <class Shape>
__global__ void __launch_bounds__(Shape::kThreads, Shape::kMinBlocksPerSm) conv_fprop_kernel(const ConvFpropArgs args) {
  extern __shared__ __align__(128) uint8_t shared[];
  const ConvGeometry& g = args.geometry;
  const int n_tiles = (g.k + Shape::kBN - 1) / Shape::kBN;
  const int64_t block_m = static_cast<int64_t>(blockIdx.x / n_tiles) * Shape::kBM;
  const int block_n = static_cast<int>(blockIdx.x % n_tiles) * Shape::kBN;

  const int tid = threadIdx.x, lane = tid & 31, warp = tid >> 5;
  const int warp_m = (warp / Shape::kWarpsN) * Shape::kWM;
  const int warp_n = (warp % Shape::kWarpsN) * Shape::kWN;

  uint8_t* epilogue_inputs = shared + kernel_staging_bytes<Shape>();
  prefetch_epilogue_inputs<Shape>(args, ptx::shared_address(epilogue_inputs), block_m, block_n, tid);

  ActivationTileIterator<Shape> a_iter(g, args.x, block_m, tid);
  WeightTileIterator<Shape> b_iter(g, args.w, block_n, tid);
  WarpAccumulators<Shape> acc;
#pragma unroll
  for (int i = 0; i < Shape::kMmaM; ++i)
#pragma unroll
    for (int j = 0; j < Shape::kMmaN; ++j)
#pragma unroll
      for (int e = 0; e < 4; ++e) acc.c[i][j][e] = 0;

  const int k_slices = static_cast<int>(ceil_div(g.gemm_k(), Shape::kBK));
  accumulate_conv_tile<Shape>(a_iter, b_iter, ptx::shared_address(shared), k_slices, warp_m, warp_n, lane, acc);
  // The last mainloop barrier is behind every warp's last read of the stages: the memory can be reused. The
  // mainloop's final cp_async_wait<0> also covers this thread's epilogue-input copies; the barrier, everyone's.
  stage_accumulators<Shape>(shared, acc, warp_m, warp_n, lane);
  __syncthreads();
  store_conv_tile<Shape>(args, shared, epilogue_inputs, block_m, block_n, tid);
}

template <class Shape>
cudaError_t launch_conv_fprop(const ConvFpropArgs& args, cudaStream_t stream) {
  const ConvGeometry& g = args.geometry;
  const int64_t blocks = ceil_div(g.gemm_m(), Shape::kBM) * ceil_div(g.k, Shape::kBN);
  if (blocks > 0x7fffffff) return cudaErrorInvalidConfiguration;
  cudaError_t err = allow_shared_memory<conv_fprop_kernel<Shape>>(kernel_shared_bytes<Shape>(true));
  if (err != cudaSuccess) return err;
  const int shared_bytes = kernel_shared_bytes<Shape>(residual_in_shared(args));
  conv_fprop_kernel<Shape><<<static_cast<unsigned>(blocks), Shape::kThreads, shared_bytes, stream>>>(args);
  return cudaGetLastError();
}

}  // namespace qatrt::cuda::conv_int8
