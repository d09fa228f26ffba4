// INT8 convolution forward on the GPU: s8 NHWC activations × s8 KRSC weights, s32 accumulation on the
// tensor cores (mma.sync m16n8k32 on sm_80 and later; wgmma on sm_90), fused epilogue
// (conv_int8/problem.h, ConvEpilogue).
//
// Implicit GEMM: M = N·P·Q output pixels, N = K output channels, K = R·S·C (C padded to a multiple of 32).
// Several threadblock tiles are compiled; which one is fastest depends on the layer and the card, so the
// plan builder times them and records its choice (GUIDE §3.8). All tiles compute bit-identical outputs.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <cuda_runtime.h>

#include "backends/cuda/conv_int8/problem.h"

namespace qatrt::cuda {

// Threadblock tiles M×N×K ("tactics"). The sm_80 tiles (mma.sync, 4 warps, a 4-stage cp.async pipeline; the
// _prefetch variant also double-buffers the register fragments, conv_int8/tile_shape.cuh) run every
// convolution on any device. The _sm90 tiles (wgmma + TMA, persistent blocks with a producer warp,
// conv_int8/sm90_kernel.cuh; _5blocks: five blocks per SM, one epilogue-input buffer; _pingpong: two
// warpgroups on alternate 64-row tiles, one's epilogue overlapping the other's wgmma) load A with the TMA and
// run only stride-1 unpadded 1×1 convolutions; the _sm90_gather tiles gather A with cp.async producer warps
// (conv_int8/sm90_gather.cuh) and run every convolution; all of them on compute capability 9.0 only:
// conv_tile_unsupported_reason says which tiles can run a launch. (8-warp 128×256 and 256×128 sm_80 tiles
// were measured too, H200 2026-11-27, and so were a 64x128x64_sm90 tile (H100) and a 64x128x64_sm90_pingpong
// tile (H200), 2026-11-27: they won no ResNet-50 layer, bench/cuda_conv_notes.md.)
enum class ConvTile : uint8_t {
  k128x128x64,
  k128x64x64,
  k64x64x64,
  k64x64x64_prefetch,
  k128x128x64_sm90,
  k64x64x64_sm90,
  k64x64x64_sm90_5blocks,
  k64x64x64_sm90_pingpong,
  k128x128x64_sm90_gather,
};
inline constexpr std::array<ConvTile, 9> kAllConvTiles = {
    ConvTile::k128x128x64,      ConvTile::k128x64x64,     ConvTile::k64x64x64,
    ConvTile::k64x64x64_prefetch, ConvTile::k128x128x64_sm90, ConvTile::k64x64x64_sm90,
    ConvTile::k64x64x64_sm90_5blocks, ConvTile::k64x64x64_sm90_pingpong, ConvTile::k128x128x64_sm90_gather};
const char* conv_tile_name(ConvTile tile);  // "128x128x64", ...
bool conv_tile_needs_sm90(ConvTile tile);    // the wgmma tiles
bool conv_tile_gathers_activations(ConvTile tile);  // the wgmma tiles whose producer gathers A (sm90_gather.cuh)

// Why `args` cannot run (geometry, alignment, sizes), or "" when it can. Checks no device pointer beyond
// null-ness and 16-byte alignment.
std::string conv_fprop_unsupported_reason(const ConvFpropArgs& args);

// Why `tile` cannot run `args` on the current device (conv_fprop_unsupported_reason first, then the tile's
// own limits), or "" when it can.
std::string conv_tile_unsupported_reason(const ConvFpropArgs& args, ConvTile tile);

// Enqueues the convolution on `stream`. Requires conv_tile_unsupported_reason(args, tile) to be empty; returns
// cudaErrorInvalidValue otherwise, or the launch error.
cudaError_t conv_fprop_s8nhwc_s8krsc(const ConvFpropArgs& args, ConvTile tile, cudaStream_t stream);

}  // namespace qatrt::cuda
