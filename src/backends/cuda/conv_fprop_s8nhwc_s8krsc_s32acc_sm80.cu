// Instances of the INT8 convolution kernel (conv_int8/kernel.cuh) for the tiles of ConvTile, and the checks
// every launch passes first; the dispatch of every ConvTile, the sm_90 ones included. "sm80": built from sm_80
// instructions (mma.sync, cp.async, ldmatrix); it also runs on sm_90, where the wgmma tiles
// (conv_fprop_s8nhwc_s8krsc_s32acc_sm90.h) compete with it.
#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h"

#include <cstdint>
#include <sstream>

#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc_sm90.h"
#include "backends/cuda/conv_int8/kernel.cuh"

namespace qatrt::cuda {
namespace {

//                                       BM   BN  WM  WN stages blocks/SM prefetch fragments
using Tile128x128 = conv_int8::TileShape<128, 128, 64, 64, 4, 2>;
using Tile128x64 = conv_int8::TileShape<128, 64, 64, 32, 4, 3>;
using Tile64x64 = conv_int8::TileShape<64, 64, 32, 32, 4, 6>;
using Tile64x64Prefetch = conv_int8::TileShape<64, 64, 32, 32, 4, 4, true>;

bool aligned16(const void* p) { return reinterpret_cast<uintptr_t>(p) % 16 == 0; }

}  // namespace

const char* conv_tile_name(ConvTile tile) {
  switch (tile) {
    case ConvTile::k128x128x64: return "128x128x64";
    case ConvTile::k128x64x64: return "128x64x64";
    case ConvTile::k64x64x64: return "64x64x64";
    case ConvTile::k64x64x64_prefetch: return "64x64x64_prefetch";
    case ConvTile::k128x128x64_sm90: return "128x128x64_sm90";
    case ConvTile::k64x64x64_sm90: return "64x64x64_sm90";
    case ConvTile::k64x64x64_sm90_5blocks: return "64x64x64_sm90_5blocks";
    case ConvTile::k64x64x64_sm90_pingpong: return "64x64x64_sm90_pingpong";
    case ConvTile::k128x128x64_sm90_gather: return "128x128x64_sm90_gather";
  }
  return "?";
}

bool conv_tile_gathers_activations(ConvTile tile) { return tile == ConvTile::k128x128x64_sm90_gather; }

bool conv_tile_needs_sm90(ConvTile tile) {
  return tile == ConvTile::k128x128x64_sm90 || tile == ConvTile::k64x64x64_sm90 ||
         tile == ConvTile::k64x64x64_sm90_5blocks || tile == ConvTile::k64x64x64_sm90_pingpong ||
         tile == ConvTile::k128x128x64_sm90_gather;
}

std::string conv_fprop_unsupported_reason(const ConvFpropArgs& args) {
  const ConvGeometry& g = args.geometry;
  std::ostringstream why;
  if (g.n < 1 || g.h < 1 || g.w < 1 || g.k < 1 || g.r < 1 || g.s < 1 || g.p < 1 || g.q < 1)
    why << "sizes must be positive (n=" << g.n << " h=" << g.h << " w=" << g.w << " k=" << g.k << " r=" << g.r
        << " s=" << g.s << " p=" << g.p << " q=" << g.q << ")";
  else if (g.c < 32 || g.c % 32 != 0)
    why << "input channels " << g.c << " must be padded to a multiple of 32 (conv_int8_prepare.h)";
  else if (g.stride_h < 1 || g.stride_w < 1 || g.pad_h < 0 || g.pad_w < 0)
    why << "strides must be >= 1 and pads >= 0 (stride " << g.stride_h << "x" << g.stride_w << ", pad " << g.pad_h
        << "x" << g.pad_w << ")";
  else if (g.gemm_k() > (int64_t{1} << 30) || int64_t{g.h} * g.w * g.c > (int64_t{1} << 30))
    why << "reduction R·S·C = " << g.gemm_k() << " or image H·W·C exceeds 2^30 bytes";
  else if (g.gemm_m() >= (int64_t{1} << 31))
    why << "N·P·Q = " << g.gemm_m() << " output pixels exceed 2^31; split the batch";
  else if (!args.x || !args.w || !args.y || !args.epilogue.scale)
    why << "x, w, y and the per-channel scale must be given";
  else if (args.epilogue.output_kind == ConvOutput::kInt8 &&
           !(args.epilogue.output_scale >= 0x1p-126f && args.epilogue.output_scale <= 0x1p126f))
    why << "output scale " << args.epilogue.output_scale
        << " must be a positive normal float with a normal reciprocal (conv_int8/requantize.h)";
  else if (args.epilogue.residual_kind != ConvResidual::kNone && !args.epilogue.residual)
    why << "a residual kind is set but the residual pointer is null";
  else if (!aligned16(args.x) || !aligned16(args.w) || !aligned16(args.y) || !aligned16(args.epilogue.scale) ||
           (args.epilogue.bias && !aligned16(args.epilogue.bias)) ||
           (args.epilogue.residual && !aligned16(args.epilogue.residual)))
    why << "x, w, y, the scale, the bias and the residual must be 16-byte aligned (cp.async and vector epilogue "
           "accesses)";
  return why.str();
}

std::string conv_tile_unsupported_reason(const ConvFpropArgs& args, ConvTile tile) {
  std::string why = conv_fprop_unsupported_reason(args);
  if (why.empty() && conv_tile_needs_sm90(tile)) why = conv_sm90_unsupported_reason(args, tile);
  return why;
}

cudaError_t conv_fprop_s8nhwc_s8krsc(const ConvFpropArgs& args, ConvTile tile, cudaStream_t stream) {
  if (!conv_tile_unsupported_reason(args, tile).empty()) return cudaErrorInvalidValue;
  if (conv_tile_needs_sm90(tile)) return conv_gemm_sm90(args, tile, stream);
  switch (tile) {
    case ConvTile::k128x128x64: return conv_int8::launch_conv_fprop<Tile128x128>(args, stream);
    case ConvTile::k128x64x64: return conv_int8::launch_conv_fprop<Tile128x64>(args, stream);
    case ConvTile::k64x64x64: return conv_int8::launch_conv_fprop<Tile64x64>(args, stream);
    case ConvTile::k64x64x64_prefetch: return conv_int8::launch_conv_fprop<Tile64x64Prefetch>(args, stream);
    default: break;
  }
  return cudaErrorInvalidValue;
}

}  // namespace qatrt::cuda
