// PTX wrappers of Hopper's asynchronous copy path (sm_90): shared-memory mbarriers that count arrivals and
// transaction bytes, and the tensor-memory-access engine (TMA, cp.async.bulk.tensor) that copies a 2-D box
// of a tensor from global into shared memory and signals an mbarrier when its bytes have landed.
//
// A pipeline stage uses two barriers: "full" (one arrival from the producer, which also announces the bytes
// the TMA will deliver; the phase completes when both happened) and "empty" (one arrival per consumer warp
// once it no longer reads the stage). Waits are on the parity of a phase: try_wait.parity(p) succeeds once
// the phase with parity p has completed; right after init the "previous" phase (parity 1) counts as
// completed, so a producer's first wait on an empty barrier, with parity 1, passes at once.
//
// Only the sm_90a pass of nvcc assembles these (the callers are guarded by QATRT_SM90_KERNELS).
#pragma once

#include <cstdint>

// Defined in the device passes that may use sm_90a instructions; the portable compute_80 pass compiles the
// Hopper kernels with empty bodies (the host never launches them on another device, see
// conv_fprop_s8nhwc_s8krsc_s32acc_sm90.cu).
#if defined(__CUDA_ARCH__) && defined(__CUDA_ARCH_FEAT_SM90_ALL)
#define QATRT_SM90_KERNELS 1
#endif

namespace qatrt::cuda::ptx {

#ifdef QATRT_SM90_KERNELS

__device__ __forceinline__ void mbarrier_init(uint32_t barrier, uint32_t arrivals) {
  asm volatile("mbarrier.init.shared::cta.b64 [%0], %1;\n" ::"r"(barrier), "r"(arrivals));
}

// Makes the initialised barriers visible to the async proxy (the TMA unit) before any copy signals them.
__device__ __forceinline__ void fence_barrier_init() { asm volatile("fence.mbarrier_init.release.cluster;\n" ::); }

__device__ __forceinline__ void mbarrier_arrive(uint32_t barrier) {
  asm volatile("mbarrier.arrive.shared::cta.b64 _, [%0];\n" ::"r"(barrier) : "memory");
}

// One arrival plus `bytes` more transaction bytes that the phase must see before it completes.
__device__ __forceinline__ void mbarrier_arrive_expect_tx(uint32_t barrier, uint32_t bytes) {
  asm volatile("mbarrier.arrive.expect_tx.shared::cta.b64 _, [%0], %1;\n" ::"r"(barrier), "r"(bytes) : "memory");
}

__device__ __forceinline__ void mbarrier_wait(uint32_t barrier, uint32_t parity) {
  asm volatile(
      "{\n"
      ".reg .pred done;\n"
      "wait_again:\n"
      "mbarrier.try_wait.parity.shared::cta.b64 done, [%0], %1;\n"
      "@!done bra wait_again;\n"
      "}\n" ::"r"(barrier),
      "r"(parity)
      : "memory");
}

// An arrival on `barrier` once all of this thread's earlier cp.async copies have completed (their bytes are
// in shared memory). .noinc: the arrival is one of those the barrier was initialised to expect (without it
// the instruction adds an arrival of its own to the pending count first, which a later arrive must repay).
__device__ __forceinline__ void cp_async_mbarrier_arrive_noinc(uint32_t barrier) {
  asm volatile("cp.async.mbarrier.arrive.noinc.shared::cta.b64 [%0];\n" ::"r"(barrier) : "memory");
}

// Orders this thread's view of shared memory (incl. what it has observed through a barrier) before its later
// async-proxy accesses: wgmma reads its operands through the async proxy, while cp.async writes through the
// generic one (PTX ISA, wgmma: an async proxy fence is required between writes of the shared-memory matrices
// and the wgmma that reads them). TMA writes are async-proxy already and need none.
__device__ __forceinline__ void fence_proxy_async_shared() {
  asm volatile("fence.proxy.async.shared::cta;\n" ::: "memory");
}

// Waits for all of this thread's cp.async copies, committed to a group or not.
__device__ __forceinline__ void cp_async_wait_all() { asm volatile("cp.async.wait_all;\n" ::: "memory"); }

// Copies the box at element coordinates (x = innermost, y) of the tensor described by `tensor_map` (a
// __grid_constant__ kernel parameter) into shared memory at `shared_dst`, completing `bytes` of `barrier`'s
// transaction count. Elements outside the tensor arrive as zeros and still count.
__device__ __forceinline__ void tma_load_2d(uint32_t shared_dst, const void* tensor_map, uint32_t barrier, int x,
                                            int y) {
  asm volatile(
      "cp.async.bulk.tensor.2d.shared::cluster.global.mbarrier::complete_tx::bytes [%0], [%1, {%3, %4}], [%2];\n" ::
          "r"(shared_dst),
      "l"(reinterpret_cast<uint64_t>(tensor_map)), "r"(barrier), "r"(x), "r"(y)
      : "memory");
}

// Fetches a tensor map into the TMA unit's descriptor cache ahead of its first copy.
__device__ __forceinline__ void tma_prefetch_descriptor(const void* tensor_map) {
  asm volatile("prefetch.tensormap [%0];\n" ::"l"(reinterpret_cast<uint64_t>(tensor_map)) : "memory");
}

// Barrier among `threads` threads (a multiple of 32) of the block under id `id` (1..15; 0 is __syncthreads).
__device__ __forceinline__ void named_barrier_sync(int id, int threads) {
  asm volatile("bar.sync %0, %1;\n" ::"r"(id), "r"(threads) : "memory");
}

#endif  // QATRT_SM90_KERNELS

}  // namespace qatrt::cuda::ptx
