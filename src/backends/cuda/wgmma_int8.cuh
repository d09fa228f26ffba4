// PTX wrappers of Hopper's warpgroup matrix multiply for int8 (sm_90a): wgmma.mma_async m64n64k32 and
// m64n128k32 s8·s8 → s32 with both operands in shared memory, described by 64-bit matrix descriptors.
//
// Operands (PTX ISA, "Matrix Descriptor Format" and the K-major shared-memory layouts): int8 wgmma reads A
// (64×32) and B (N×32) K-major only — rows of k bytes, which is how NHWC activations ([M, C]) and KRSC 1×1
// weights ([K, C]) already sit in memory. Our tiles are rows of 64 bytes (one BK slice) written by the TMA
// with its 64-byte swizzle: inside every 512-byte group of 8 rows, 16-byte chunk j of row r is stored at
// chunk j ^ ((r >> 1) & 3). The descriptor of such a tile:
//   bits  0-13  start address >> 4        (the tile, +32 bytes for the second k32 step of the 64-byte row;
//                                          the swizzle is applied to the final address bits, so the tile
//                                          must start on a 512-byte boundary and "base offset" stays 0)
//   bits 16-29  leading byte offset >> 4  (unused for swizzled K-major layouts whose k extent, 32 bytes,
//                                          fits in one swizzle row; 1 by convention)
//   bits 32-45  stride byte offset >> 4   (from one group of 8 rows to the next: 8 × 64 = 512 bytes)
//   bits 49-51  base offset               (0: tiles are 512-byte aligned)
//   bits 62-63  swizzle mode              (1 = 128B, 2 = 64B, 3 = 32B, 0 = none)
//
// Accumulators of m64nNk32 (s32), per warp w of the warpgroup and lane = 4·g + t: the same 16×8 blocks as
// mma.sync's C fragment (mma_int8.cuh), one per 8 columns:
//              n 8j+2t    n 8j+2t+1
//   m 16w+g    [ d[4j]   |  d[4j+1] ]
//   m 16w+g+8  [ d[4j+2] |  d[4j+3] ]          j = 0 .. N/8 − 1
#pragma once

#include <cstdint>

#include "backends/cuda/tma_mbarrier_sm90.cuh"  // QATRT_SM90_KERNELS

namespace qatrt::cuda::ptx {

#ifdef QATRT_SM90_KERNELS

// Descriptor of a K-major tile of 64-byte rows in the TMA's 64-byte swizzle (see above).
__device__ __forceinline__ uint64_t wgmma_descriptor_k64_swizzle64(uint32_t shared_address) {
  constexpr uint64_t kLeadingByteOffset = 16 >> 4, kStrideByteOffset = 512 >> 4, kSwizzle64B = 2;
  return static_cast<uint64_t>((shared_address & 0x3FFFF) >> 4) | (kLeadingByteOffset << 16) |
         (kStrideByteOffset << 32) | (kSwizzle64B << 62);
}

// Orders this thread's earlier register writes of the accumulators before the next wgmma reads them.
__device__ __forceinline__ void wgmma_fence() { asm volatile("wgmma.fence.sync.aligned;\n" ::: "memory"); }
__device__ __forceinline__ void wgmma_commit_group() {
  asm volatile("wgmma.commit_group.sync.aligned;\n" ::: "memory");
}
// Waits until at most `pending` committed wgmma groups of this warp are still running.
template <int pending>
__device__ __forceinline__ void wgmma_wait_group() {
  asm volatile("wgmma.wait_group.sync.aligned %0;\n" ::"n"(pending) : "memory");
}

// Keeps the compiler from moving accesses of the accumulator registers across an asynchronous wgmma that is
// still writing them (it sees only the asm statement, not the hardware's later writes).
template <int N>
__device__ __forceinline__ void wgmma_fence_registers(int32_t (&d)[N]) {
#pragma unroll
  for (int i = 0; i < N; ++i) asm volatile("" : "+r"(d[i])::"memory");
}

// d += A·Bᵀ for A 64×32 (a_desc) and B N×32 (b_desc), both K-major s8; d (N/2 registers) in the layout above.
// N = 64:
__device__ __forceinline__ void wgmma_m64nNk32_s8(int32_t (&d)[32], uint64_t a_desc, uint64_t b_desc) {
  asm volatile(
      "wgmma.mma_async.sync.aligned.m64n64k32.s32.s8.s8 "
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, "
      "%23, %24, %25, %26, %27, %28, %29, %30, %31}, "
      "%32, %33, 1;\n"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3]), "+r"(d[4]), "+r"(d[5]), "+r"(d[6]), "+r"(d[7]),
        "+r"(d[8]), "+r"(d[9]), "+r"(d[10]), "+r"(d[11]), "+r"(d[12]), "+r"(d[13]), "+r"(d[14]), "+r"(d[15]),
        "+r"(d[16]), "+r"(d[17]), "+r"(d[18]), "+r"(d[19]), "+r"(d[20]), "+r"(d[21]), "+r"(d[22]), "+r"(d[23]),
        "+r"(d[24]), "+r"(d[25]), "+r"(d[26]), "+r"(d[27]), "+r"(d[28]), "+r"(d[29]), "+r"(d[30]), "+r"(d[31])
      : "l"(a_desc), "l"(b_desc));
}

// N = 128:
__device__ __forceinline__ void wgmma_m64nNk32_s8(int32_t (&d)[64], uint64_t a_desc, uint64_t b_desc) {
  asm volatile(
      "wgmma.mma_async.sync.aligned.m64n128k32.s32.s8.s8 "
      "{%0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11, %12, %13, %14, %15, %16, %17, %18, %19, %20, %21, %22, "
      "%23, %24, %25, %26, %27, %28, %29, %30, %31, %32, %33, %34, %35, %36, %37, %38, %39, %40, %41, %42, %43, "
      "%44, %45, %46, %47, %48, %49, %50, %51, %52, %53, %54, %55, %56, %57, %58, %59, %60, %61, %62, %63}, "
      "%64, %65, 1;\n"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3]), "+r"(d[4]), "+r"(d[5]), "+r"(d[6]), "+r"(d[7]),
        "+r"(d[8]), "+r"(d[9]), "+r"(d[10]), "+r"(d[11]), "+r"(d[12]), "+r"(d[13]), "+r"(d[14]), "+r"(d[15]),
        "+r"(d[16]), "+r"(d[17]), "+r"(d[18]), "+r"(d[19]), "+r"(d[20]), "+r"(d[21]), "+r"(d[22]), "+r"(d[23]),
        "+r"(d[24]), "+r"(d[25]), "+r"(d[26]), "+r"(d[27]), "+r"(d[28]), "+r"(d[29]), "+r"(d[30]), "+r"(d[31]),
        "+r"(d[32]), "+r"(d[33]), "+r"(d[34]), "+r"(d[35]), "+r"(d[36]), "+r"(d[37]), "+r"(d[38]), "+r"(d[39]),
        "+r"(d[40]), "+r"(d[41]), "+r"(d[42]), "+r"(d[43]), "+r"(d[44]), "+r"(d[45]), "+r"(d[46]), "+r"(d[47]),
        "+r"(d[48]), "+r"(d[49]), "+r"(d[50]), "+r"(d[51]), "+r"(d[52]), "+r"(d[53]), "+r"(d[54]), "+r"(d[55]),
        "+r"(d[56]), "+r"(d[57]), "+r"(d[58]), "+r"(d[59]), "+r"(d[60]), "+r"(d[61]), "+r"(d[62]), "+r"(d[63])
      : "l"(a_desc), "l"(b_desc));
}

#endif  // QATRT_SM90_KERNELS

}  // namespace qatrt::cuda::ptx
