// PTX wrappers of the INT8 tensor-core path: cp.async (global → shared, 16 bytes, zero-filling), ldmatrix
// (shared → registers) and mma.sync m16n8k32 s8·s8 → s32. All three exist from sm_80 on and run on sm_90.
//
// Fragment layouts of mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 (PTX ISA, "mma.m16n8k32"), for
// lane = 4·g + t (g = groupID 0..7, t = threadID_in_group 0..3). Each a/b register packs 4 consecutive s8
// along k: in every block drawn below, lane (g, t) holds row g (for B: column g), k bytes 4t .. 4t+3.
//
//        A: 16×32 s8, row-major                B: 32×8 s8, "col" = stored N×K         C, D: 16×8 s32
//               k 0..15    k 16..31                   n 0..7                                n 2t   n 2t+1
//   m 0..7   [   a0    |    a2    ]       k 0..15  [   b0   ]                     m g    [  c0  |  c1  ]
//   m 8..15  [   a1    |    a3    ]       k 16..31 [   b1   ]                     m g+8  [  c2  |  c3  ]
//
// ldmatrix.x4 (.m8n8.b16) loads four 8-row × 16-byte matrices; lanes 8j..8j+7 give the row addresses of
// matrix j, and lane (g, t) receives bytes 4t..4t+3 of row g of matrix j in register j — exactly the
// layout of one a or b block above. So one ldmatrix.x4 fills a0..a3 (matrices: rows 0-7/8-15 × k 0-15/16-31,
// in the order a0, a1, a2, a3), or b0, b1 of two neighbouring n8 blocks.
#pragma once

#include <cstdint>

namespace qatrt::cuda::ptx {

__device__ __forceinline__ uint32_t shared_address(const void* pointer) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(pointer));
}

// Copies 16 bytes from global to shared memory asynchronously; when `valid` is false nothing is read and the
// 16 destination bytes are zeroed (src-size 0), which is how padding and out-of-range rows enter the tile.
__device__ __forceinline__ void cp_async_16(uint32_t shared_dst, const void* global_src, bool valid) {
  const int src_bytes = valid ? 16 : 0;
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(shared_dst), "l"(global_src),
               "r"(src_bytes));
}

__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }

// Waits until at most `pending` committed groups of this thread are still in flight.
template <int pending>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(pending));
}

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], uint32_t shared_src) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(shared_src));
}

// d += a · b for one 16×8×32 block (layouts above).
__device__ __forceinline__ void mma_s8_16x8x32(int32_t (&d)[4], const uint32_t (&a)[4], const uint32_t (&b)[2]) {
  asm volatile(
      "mma.sync.aligned.m16n8k32.row.col.s32.s8.s8.s32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
      "{%0, %1, %2, %3};\n"
      : "+r"(d[0]), "+r"(d[1]), "+r"(d[2]), "+r"(d[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
}

}  // namespace qatrt::cuda::ptx
