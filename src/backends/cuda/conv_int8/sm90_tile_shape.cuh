// Compile-time shape of the Hopper (sm_90a) INT8 implicit-GEMM kernel, and its shared-memory layout.
//
// A block is persistent: it walks BM×BN output tiles (BN = 64 or 128 channels, BM = 64 per consumer warpgroup).
// Producer warps stream BK = 64-byte reduction slices of A (activations) and B (weights [K, R·S·C]) into a
// ring of kStages stages, running ahead into the next tile while the consumers finish the current one; each
// consumer warpgroup multiplies its 64 rows with wgmma (m64nBNk32, two k-steps per slice) and then all
// consumers run the shared epilogue (epilogue.cuh) on the block's tile.
// Two ways to load A:
//   TMA (GatherWarps = 0, stride-1 unpadded 1×1 convolutions only): A = x as [M, C] is a plain matrix, and one
//                producer thread copies both operands with 2-D TMA boxes;
//   gather (GatherWarps > 0, any convolution): A's rows are output pixels whose reduction slice is a filter tap
//                window of x (sm90_gather.cuh); GatherWarps producer warps copy it with 16-byte cp.async
//                (zero-filled padding), and one of their threads still copies B with the TMA.
// Two schedules of the consumer warpgroups:
//   cooperative: all of them share one tile of 64·W rows (mainloop, then epilogue, then the next tile);
//   ping-pong:   each warpgroup owns a whole 64-row tile and the two take the block's tiles in turn, so
//                while one runs its epilogue (requantize, residual, stores) the other issues the wgmma of
//                the next tile (the ring hands the slices out in tile order; order barriers, sm90_kernel.cuh,
//                make the two mainloops take turns).
// kThreads counts the threads of one tile's epilogue: the thread count the shared epilogue code is written for.
#pragma once

#include <cstdint>

namespace qatrt::cuda::conv_int8 {

// EpilogueRowUnroll: rows of its column each epilogue thread works on together (epilogue.cuh). With 1 or 2
// consumer warpgroups per block the epilogue has few warps per SM to hide its latency, so it needs the
// independent rows; the sm_80 tiles have many warps and spend the registers elsewhere.
// InputBuffers: 2 copies the next tile's epilogue inputs during this tile (sm90_kernel.cuh), 1 saves the
// shared memory. PingPong: the schedule (above); each warpgroup then has its own staging tile and inputs.
// GatherWarps: 0 for the TMA-loaded A of the 1×1 tiles, else the producer warps that gather A (above).
template <int ConsumerWarpgroups_, int BN_, int Stages_, int MinBlocksPerSm_, int EpilogueRowUnroll_,
          int InputBuffers_ = 2, bool PingPong_ = false, int GatherWarps_ = 0>
struct Sm90TileShape {
  static constexpr int kConsumerWarpgroups = ConsumerWarpgroups_;
  static constexpr bool kPingPong = PingPong_;
  static constexpr bool kGatherA = GatherWarps_ > 0;
  static constexpr int kTileWarpgroups = kPingPong ? 1 : kConsumerWarpgroups;  // warpgroups sharing a tile
  static constexpr int kTileGroups = kConsumerWarpgroups / kTileWarpgroups;    // tiles in progress per block
  static constexpr int kBM = 64 * kTileWarpgroups, kBN = BN_, kBK = 64;
  static constexpr int kStages = Stages_;
  static constexpr int kMinBlocksPerSm = MinBlocksPerSm_;
  static constexpr int kEpilogueRowUnroll = EpilogueRowUnroll_;
  static constexpr int kInputBuffers = InputBuffers_;
  static constexpr int kAccumulators = kBN / 2;  // int32 per thread: 64 × BN over 128 threads
  static constexpr int kThreads = 128 * kTileWarpgroups;  // one tile's consumers (and its epilogue)
  static constexpr int kConsumerWarps = 4 * kTileWarpgroups;  // the warps that read one stage
  static constexpr int kProducerWarp = 4 * kConsumerWarpgroups;  // the first warp after the consumer warpgroups
  static constexpr int kProducerWarps = kGatherA ? GatherWarps_ : 1;
  static constexpr int kGatherThreads = 32 * GatherWarps_;
  static constexpr int kBlockThreads = 128 * kConsumerWarpgroups + 32 * kProducerWarps;
  static constexpr int kATileBytes = kBM * kBK, kBTileBytes = kBN * kBK;
  static constexpr int kStageBytes = kATileBytes + kBTileBytes;
  // The bytes the TMA delivers into a stage (the full barrier's transaction count): both tiles, or B alone
  // when A is gathered. A box's bytes outside the tensor arrive as zeros and count all the same.
  static constexpr int kTmaStageBytes = kGatherA ? kBTileBytes : kStageBytes;
  // Arrivals that complete a stage's full barrier: the TMA thread's arrive.expect_tx, plus, when A is gathered,
  // one cp.async-tracking arrival per gathering thread (sm90_gather.cuh).
  static constexpr int kFullArrivals = 1 + kGatherThreads;

  // The TMA's 64-byte swizzle repeats every 8 rows × 64 bytes; the wgmma descriptors assume tiles that start
  // on such a boundary (wgmma_int8.cuh).
  static constexpr int kSwizzleAtomBytes = 512;
  static_assert(kATileBytes % kSwizzleAtomBytes == 0 && kBTileBytes % kSwizzleAtomBytes == 0, "tile alignment");
  static_assert(kStages >= 2, "the producer must be able to run ahead of the consumers");
  static_assert(kBN == 64 || kBN == 128, "wgmma_int8.cuh wraps m64n64k32 and m64n128k32");
  static_assert(kInputBuffers == 1 || kInputBuffers == 2, "epilogue input buffers");
  static_assert(!kPingPong || kConsumerWarpgroups == 2, "ping-pong alternates two warpgroups");
  // The gathering producer fills the ring in the block's tile order, as the TMA producer does, so nothing in it
  // is cooperative-only; but no ping-pong gathering tile has been run, so none may be built untested.
  static_assert(!(kGatherA && kPingPong), "a ping-pong gathering tile is untested");
  static_assert(kGatherThreads % 4 == 0 && (!kGatherA || kBM % (kGatherThreads / 4) == 0),
                "each gathering thread copies one 16-byte chunk of the same number of rows");
};

// Offsets from the block's 1024-byte aligned shared-memory base: the stages (A tile, then B tile), the
// stages' full and empty mbarriers, the ping-pong order mbarriers (one per warpgroup), the epilogue's staging
// tile, then the epilogue's inputs.
template <class Shape, int StagingBytes, int InputBytes>
struct Sm90SharedLayout {
  static constexpr int kStagesOffset = 0;
  static constexpr int kFullBarriersOffset = Shape::kStages * Shape::kStageBytes;
  static constexpr int kEmptyBarriersOffset = kFullBarriersOffset + 8 * Shape::kStages;
  static constexpr int kOrderBarriersOffset = kEmptyBarriersOffset + 8 * Shape::kStages;
  static constexpr int kOrderBarriers = Shape::kPingPong ? Shape::kTileGroups : 0;
  static constexpr int kStagingOffset = (kOrderBarriersOffset + 8 * kOrderBarriers + 127) / 128 * 128;
  static constexpr int kInputsOffset = kStagingOffset + StagingBytes;
  static constexpr int kBytes = kInputsOffset + InputBytes;
  static constexpr int kAlignment = 1024;  // dynamic shared memory is only promised 16-byte alignment
  static constexpr int kAllocationBytes = kBytes + kAlignment;
};

}  // namespace qatrt::cuda::conv_int8
