// Multistage mainloop: a ring of Shape::kStages shared-memory stages, each holding the A and B tiles of one
// 64-byte reduction slice (two mma k-steps of 32). While the warps multiply the slice in one stage, the
// cp.async copies of the next kStages − 1 slices are in flight, so global-memory latency hides behind
// tensor-core work. With Shape::kPrefetchFragments the register fragments are double-buffered too: the
// fragments of the next k-step are loaded before the mma of the current one, and the barrier between slices
// sits after the last fragment load of a slice, so the mma of that step runs while the barrier and the next
// slice's first loads complete.
#pragma once

#include <cstdint>

#include "backends/cuda/conv_int8/iterators.cuh"
#include "backends/cuda/conv_int8/tile_shape.cuh"
#include "backends/cuda/mma_int8.cuh"

namespace qatrt::cuda::conv_int8 {

// The int32 accumulators of one warp: kMmaM × kMmaN blocks of 16×8 in the C layout of mma_int8.cuh.
template <class Shape>
struct WarpAccumulators {
  int32_t c[Shape::kMmaM][Shape::kMmaN][4];
};

// The A and B fragments of one warp for one k-step of 32.
template <class Shape>
struct WarpFragments {
  uint32_t a[Shape::kMmaM][4];
  uint32_t b[Shape::kMmaN][2];
};

// Loads k-step `step` (0 or 1) of the slice whose A tile is at a_tile and B tile at b_tile. (warp_m, warp_n) is
// the warp's origin inside the block tile.
template <class Shape>
__device__ __forceinline__ void load_fragments(uint32_t a_tile, uint32_t b_tile, int step, int warp_m, int warp_n,
                                               int lane, WarpFragments<Shape>& f) {
#pragma unroll
  for (int i = 0; i < Shape::kMmaM; ++i) {
    // matrix lane/8: rows 0-7 | 8-15 (bit 0), k bytes 0-15 | 16-31 (bit 1) → a0, a1, a2, a3
    const int row = warp_m + 16 * i + (lane & 15);
    ptx::ldmatrix_x4(f.a[i], a_tile + swizzled_offset(row, 2 * step + (lane >> 4)));
  }
#pragma unroll
  for (int j = 0; j < Shape::kMmaN; j += 2) {
    // matrix lane/8: k bytes 0-15 | 16-31 (bit 0), n block j | j+1 (bit 1) → b[j][0], b[j][1], b[j+1][0], b[j+1][1]
    const int row = warp_n + 8 * j + (lane & 7) + ((lane >> 4) << 3);
    uint32_t r[4];
    ptx::ldmatrix_x4(r, b_tile + swizzled_offset(row, 2 * step + ((lane >> 3) & 1)));
    f.b[j][0] = r[0];
    f.b[j][1] = r[1];
    f.b[j + 1][0] = r[2];
    f.b[j + 1][1] = r[3];
  }
}

template <class Shape>
__device__ __forceinline__ void multiply_fragments(const WarpFragments<Shape>& f, WarpAccumulators<Shape>& acc) {
#pragma unroll
  for (int i = 0; i < Shape::kMmaM; ++i)
#pragma unroll
    for (int j = 0; j < Shape::kMmaN; ++j) ptx::mma_s8_16x8x32(acc.c[i][j], f.a[i], f.b[j]);
}

// Issues the copies of the next slice into `stage` (when there is one) and commits them as one group; an empty
// group when there is none keeps the group count uniform for cp_async_wait.
template <class Shape>
__device__ __forceinline__ void copy_next_slice(ActivationTileIterator<Shape>& a_iter, WeightTileIterator<Shape>& b_iter,
                                                uint32_t a_tile, uint32_t b_tile, bool exists) {
  if (exists) {
    a_iter.load(a_tile);
    b_iter.load(b_tile);
    a_iter.advance();
    b_iter.advance();
  }
  ptx::cp_async_commit();
}

// Accumulates the whole reduction (k_slices slices of 64 bytes) of the block into `acc`.
// At the top of iteration t: slice t is in stage read_stage (with kPrefetchFragments, its step-0 fragments are
// already in registers); slices t+1 .. t+kStages−2 may be in flight; stage write_stage held slice t − 1,
// whose fragments every warp loaded before the barrier that ended iteration t − 1, so it receives slice
// t + kStages − 1.
template <class Shape>
__device__ __forceinline__ void accumulate_conv_tile(ActivationTileIterator<Shape>& a_iter,
                                                     WeightTileIterator<Shape>& b_iter, uint32_t shared,
                                                     int k_slices, int warp_m, int warp_n, int lane,
                                                     WarpAccumulators<Shape>& acc) {
  constexpr int kStages = Shape::kStages;
  constexpr uint32_t kBOffset = Shape::kBM * Shape::kBK;  // B follows A inside a stage
  auto a_tile = [shared](int stage) { return shared + static_cast<uint32_t>(stage * Shape::kStageBytes); };
  auto b_tile = [&a_tile](int stage) { return a_tile(stage) + kBOffset; };

#pragma unroll
  for (int stage = 0; stage < kStages - 1; ++stage)
    copy_next_slice<Shape>(a_iter, b_iter, a_tile(stage), b_tile(stage), stage < k_slices);
  ptx::cp_async_wait<kStages - 2>();
  __syncthreads();

  int read_stage = 0, write_stage = kStages - 1;
  auto next = [](int stage) { return stage + 1 == kStages ? 0 : stage + 1; };
  if constexpr (!Shape::kPrefetchFragments) {
    for (int t = 0; t < k_slices; ++t) {
      copy_next_slice<Shape>(a_iter, b_iter, a_tile(write_stage), b_tile(write_stage), t + kStages - 1 < k_slices);
#pragma unroll
      for (int step = 0; step < Shape::kBK / 32; ++step) {
        WarpFragments<Shape> f;
        load_fragments<Shape>(a_tile(read_stage), b_tile(read_stage), step, warp_m, warp_n, lane, f);
        multiply_fragments<Shape>(f, acc);
      }
      ptx::cp_async_wait<kStages - 2>();  // slice t + 1 has landed (for this thread) ...
      __syncthreads();                    // ... for all threads, and every warp is done reading slice t
      read_stage = next(read_stage);
      write_stage = next(write_stage);
    }
  } else {
    static_assert(Shape::kBK / 32 == 2, "the prefetching loop is written for two k-steps per slice");
    WarpFragments<Shape> frag[2];
    load_fragments<Shape>(a_tile(read_stage), b_tile(read_stage), 0, warp_m, warp_n, lane, frag[0]);
    for (int t = 0; t < k_slices; ++t) {
      // k-step 0: fetch step 1's fragments, start the copy of a later slice, multiply step 0.
      load_fragments<Shape>(a_tile(read_stage), b_tile(read_stage), 1, warp_m, warp_n, lane, frag[1]);
      copy_next_slice<Shape>(a_iter, b_iter, a_tile(write_stage), b_tile(write_stage), t + kStages - 1 < k_slices);
      multiply_fragments<Shape>(frag[0], acc);
      // k-step 1: wait for slice t + 1 and for every warp to be done reading slice t, fetch the next slice's
      // step-0 fragments, multiply step 1.
      ptx::cp_async_wait<kStages - 2>();
      __syncthreads();
      read_stage = next(read_stage);
      write_stage = next(write_stage);
      if (t + 1 < k_slices)
        load_fragments<Shape>(a_tile(read_stage), b_tile(read_stage), 0, warp_m, warp_n, lane, frag[0]);
      multiply_fragments<Shape>(frag[1], acc);
    }
  }
  ptx::cp_async_wait<0>();
}

}  // namespace qatrt::cuda::conv_int8
