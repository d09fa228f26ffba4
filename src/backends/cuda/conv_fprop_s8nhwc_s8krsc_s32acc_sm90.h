// The Hopper (sm_90a) tiles of the INT8 convolution (ConvTile::*_sm90*): a wgmma implicit-GEMM kernel with
// B = w as [K, R·S·C] (K-major, as int8 wgmma wants both operands) copied by the TMA. A is copied by the TMA
// too where the convolution is a plain GEMM — 1×1 filters, stride 1, no padding: A = x as [N·H·W, C] — and
// gathered by producer warps with cp.async in the _sm90_gather tiles, which run every convolution. Internal to
// the launcher
// (conv_fprop_s8nhwc_s8krsc_s32acc_sm80.cu dispatches here); callers use conv_fprop_s8nhwc_s8krsc_s32acc.h.
#pragma once

#include <string>

#include <cuda_runtime.h>

#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h"

namespace qatrt::cuda {

// Why the sm_90 tile `tile` cannot run a convolution of geometry `g` on any device (a TMA-fed tile and no
// GEMM-shaped convolution; sizes past the kernel's 32-bit tile indices), or "". Device-independent.
std::string conv_sm90_shape_unsupported_reason(const ConvGeometry& g, ConvTile tile);

// Why the sm_90 tile `tile` cannot run `args` on the current device (conv_sm90_shape_unsupported_reason, then:
// not a compute capability 9.0 device, no TMA descriptor support in the driver), or "". Assumes
// conv_fprop_unsupported_reason(args) is empty.
std::string conv_sm90_unsupported_reason(const ConvFpropArgs& args, ConvTile tile);

// Enqueues the convolution with an sm_90 tile; requires conv_sm90_unsupported_reason(args, tile) to be empty.
cudaError_t conv_gemm_sm90(const ConvFpropArgs& args, ConvTile tile, cudaStream_t stream);

}  // namespace qatrt::cuda
