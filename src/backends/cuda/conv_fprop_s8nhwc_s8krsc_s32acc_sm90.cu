// Instances of the Hopper INT8 implicit-GEMM kernel (conv_int8/sm90_kernel.cuh) for the sm_90 tiles of
// ConvTile, the TMA descriptors of each launch, and the checks that keep the kernel to the devices and shapes
// it is for.
// The kernel's code exists only in the sm_90a cubin (QATRT_SM90_KERNELS); the portable compute_80 PTX holds an
// empty body, which is never launched because a device must report compute capability 9.0 exactly.
#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc_sm90.h"

#include <sstream>

#include "backends/cuda/conv_int8/sm90_kernel.cuh"
#include "backends/cuda/tensor_map.h"

namespace qatrt::cuda {
namespace {

// Shared memory (stages + staging tile + epilogue-input buffers) sets the blocks per SM: 183, 46 and 42 KB for
// the first three tiles below. The five-block 64×64 tile trades the second input buffer (and a register spill at
// its 72-register cap) for a fifth block: it wins the 1×1 layers without a residual, the four-block one those
// with (H100, bench/cuda_conv_notes.md "h3").
// The ping-pong tile (two warpgroups on alternate 64-row tiles, each with its own staging tile and inputs: 91 KB,
// 2 blocks/SM) overlaps one tile's epilogue with the other's mainloop.
// Parameters: consumer warpgroups (BM = 64 each, or per tile when ping-pong), BN, stages, blocks/SM, epilogue
// rows, input buffers, ping-pong, gathering producer warps.
using Sm90Tile128x128 = conv_int8::Sm90TileShape<2, 128, 4, 1, 2>;
using Sm90Tile64x64 = conv_int8::Sm90TileShape<1, 64, 2, 4, 1>;
using Sm90Tile64x64FiveBlocks = conv_int8::Sm90TileShape<1, 64, 2, 5, 1, 1>;
using Sm90Tile64x64PingPong = conv_int8::Sm90TileShape<2, 64, 4, 2, 1, 2, true>;
// The gathering tile (A copied by producer warps with cp.async, conv_int8/sm90_gather.cuh) for the
// convolutions that are no plain GEMM. Their reductions are long (R·S·C = 576 … 4608 bytes for ResNet-50's
// 3×3 layers) and a gathered slice waits on 16-byte copies from L2 or memory, so the tile spends its shared
// memory on stages: 6 of 16 KB, 215 KB in all, one block per SM. The producer, not the tensor cores, set its
// speed (one H200, bench/cuda_conv_notes.md "t"): with two gathering warps it won no layer; with four (the most
// that fit beside two consumer warpgroups at 168 registers: 384 threads) it wins the res5 3×3 layers by 15 %.
// A 128×64 variant (for the K = 64 layers) won none with either, and the L1-allocating cp.async.ca gained
// nothing over .cg.
using Sm90Tile128x128Gather = conv_int8::Sm90TileShape<2, 128, 6, 1, 2, 2, false, 4>;

// The largest dynamic shared memory of a block on compute capability 9.0 (227 KB).
static_assert(conv_int8::Sm90Layout<Sm90Tile128x128Gather>::kAllocationBytes <= 227 * 1024, "shared memory");

// B is w as [K, R·S·C] rows (KRSC); A, for the 1×1 tiles, x as [N·H·W, C] rows. The gathering tiles read x
// through their producer warps and get no A map (a zeroed one, never read).
template <class Shape>
cudaError_t launch(const ConvFpropArgs& args, cudaStream_t stream) {
  const ConvGeometry& g = args.geometry;
  CUtensorMap a_map{}, b_map{};
  cudaError_t err = encode_s8_rows_swizzle64(&b_map, args.w, static_cast<uint64_t>(g.gemm_k()), g.k, Shape::kBK,
                                             Shape::kBN);
  if (err == cudaSuccess && !Shape::kGatherA)
    err = encode_s8_rows_swizzle64(&a_map, args.x, g.c, g.gemm_m(), Shape::kBK, Shape::kBM);
  if (err != cudaSuccess) return err;
  return conv_int8::launch_conv_gemm_sm90<Shape>(args, a_map, b_map, stream);
}

}  // namespace

std::string conv_sm90_shape_unsupported_reason(const ConvGeometry& g, ConvTile tile) {
  std::ostringstream why;
  // Output tiles of 64 × 64 bound every sm_90 tile's count from above.
  const int64_t tiles = (g.gemm_m() + 63) / 64 * ((int64_t{g.k} + 63) / 64);
  const bool gemm = g.r == 1 && g.s == 1 && g.stride_h == 1 && g.stride_w == 1 && g.pad_h == 0 && g.pad_w == 0 &&
                    g.p == g.h && g.q == g.w;
  if (!conv_tile_gathers_activations(tile) && !gemm) {
    why << "the TMA-fed sm_90 tiles run stride-1 unpadded 1x1 convolutions (GEMMs) only, not " << g.r << "x"
        << g.s << " stride " << g.stride_h << "x" << g.stride_w << " pad " << g.pad_h << "x" << g.pad_w
        << " (the _sm90_gather tile runs those)";
  } else if (g.gemm_m() > INT32_MAX - 256) {  // TMA coordinates and tile origins are 32-bit
    why << "N·P·Q = " << g.gemm_m() << " rows exceed the sm_90 tiles' 32-bit row coordinates; split the batch";
  } else if (tiles > (int64_t{1} << 30)) {  // the persistent blocks' tile indices are 32-bit
    why << "N·P·Q = " << g.gemm_m() << " rows × K = " << g.k << " channels make " << tiles
        << " 64x64 output tiles, more than the sm_90 tiles' 2^30; split the batch";
  }
  return why.str();
}

std::string conv_sm90_unsupported_reason(const ConvFpropArgs& args, ConvTile tile) {
  std::string shape_why = conv_sm90_shape_unsupported_reason(args.geometry, tile);
  if (!shape_why.empty()) return shape_why;
  std::ostringstream why;
  int device = 0, major = 0, minor = 0;
  if (cudaGetDevice(&device) != cudaSuccess ||
      cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device) != cudaSuccess ||
      cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device) != cudaSuccess) {
    why << "no CUDA device to query";
  } else if (major != 9 || minor != 0) {
    why << "the sm_90 tiles need a compute capability 9.0 device (sm_90a code), this one is " << major << "."
        << minor;
  } else if (!tensor_maps_available()) {
    why << "the CUDA driver offers no cuTensorMapEncodeTiled (TMA descriptors)";
  }
  return why.str();
}

cudaError_t conv_gemm_sm90(const ConvFpropArgs& args, ConvTile tile, cudaStream_t stream) {
  switch (tile) {
    case ConvTile::k128x128x64_sm90: return launch<Sm90Tile128x128>(args, stream);
    case ConvTile::k64x64x64_sm90: return launch<Sm90Tile64x64>(args, stream);
    case ConvTile::k64x64x64_sm90_5blocks: return launch<Sm90Tile64x64FiveBlocks>(args, stream);
    case ConvTile::k64x64x64_sm90_pingpong: return launch<Sm90Tile64x64PingPong>(args, stream);
    case ConvTile::k128x128x64_sm90_gather: return launch<Sm90Tile128x128Gather>(args, stream);
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace qatrt::cuda
