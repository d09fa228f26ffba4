// Instances of the Hopper INT8 GEMM kernel (conv_int8/sm90_kernel.cuh) for the sm_90 tiles of ConvTile, the
// TMA descriptors of each launch, and the checks that keep the kernel to the devices and shapes it is for.
// The kernel's code exists only in the sm_90a cubin (QATRT_SM90_KERNELS); the portable compute_80 PTX holds an
// empty body, which is never launched because a device must report compute capability 9.0 exactly.
#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc_sm90.h"

#include <sstream>

#include "backends/cuda/conv_int8/sm90_kernel.cuh"
#include "backends/cuda/tensor_map.h"

namespace qatrt::cuda {
namespace {

// Shared memory (stages + staging tile + epilogue-input buffers) sets the blocks per SM: 183, 48 and 44 KB. The five-block 64×64 tile trades the second input buffer (and a 56-byte register spill at its
// 72-register cap) for a fifth block: it wins the 1×1 layers without a residual, the four-block one those with
// (H100, bench/cuda_conv_notes.md "h3").
// The ping-pong tiles (two warpgroups on alternate 64-row tiles, each with its own staging tile and inputs:
// 171 and 96 KB, 1 and 2 blocks/SM) overlap one tile's epilogue with the other's mainloop.
// Parameters: consumer warpgroups (BM = 64 each, or per tile when ping-pong), BN, stages, blocks/SM, epilogue
// rows, input buffers, ping-pong.
using Sm90Tile128x128 = conv_int8::Sm90TileShape<2, 128, 4, 1, 2>;
using Sm90Tile64x64 = conv_int8::Sm90TileShape<1, 64, 2, 4, 1>;
using Sm90Tile64x64FiveBlocks = conv_int8::Sm90TileShape<1, 64, 2, 5, 1, 1>;
using Sm90Tile64x64PingPong = conv_int8::Sm90TileShape<2, 64, 4, 2, 1, 2, true>;

template <class Shape>
cudaError_t launch(const ConvFpropArgs& args, cudaStream_t stream) {
  const ConvGeometry& g = args.geometry;
  CUtensorMap a_map, b_map;
  cudaError_t err = encode_s8_rows_swizzle64(&a_map, args.x, g.c, g.gemm_m(), Shape::kBK, Shape::kBM);
  if (err == cudaSuccess) err = encode_s8_rows_swizzle64(&b_map, args.w, g.c, g.k, Shape::kBK, Shape::kBN);
  if (err != cudaSuccess) return err;
  return conv_int8::launch_conv_gemm_sm90<Shape>(args, a_map, b_map, stream);
}

}  // namespace

std::string conv_gemm_sm90_unsupported_reason(const ConvFpropArgs& args) {
  const ConvGeometry& g = args.geometry;
  std::ostringstream why;
  int device = 0, major = 0, minor = 0;
  if (g.r != 1 || g.s != 1 || g.stride_h != 1 || g.stride_w != 1 || g.pad_h != 0 || g.pad_w != 0 || g.p != g.h ||
      g.q != g.w) {
    why << "the sm_90 tiles run stride-1 unpadded 1x1 convolutions (GEMMs) only, not " << g.r << "x" << g.s
        << " stride " << g.stride_h << "x" << g.stride_w << " pad " << g.pad_h << "x" << g.pad_w;
  } else if (g.gemm_m() > INT32_MAX - 256) {  // TMA coordinates and tile origins are 32-bit
    why << "N·H·W = " << g.gemm_m() << " rows exceed the sm_90 tiles' 32-bit row coordinates; split the batch";
  } else if (cudaGetDevice(&device) != cudaSuccess ||
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
    default: return cudaErrorInvalidValue;
  }
}

}  // namespace qatrt::cuda
