// The Hopper (sm_90a) tiles of the INT8 convolution (ConvTile::*_sm90): a wgmma + TMA GEMM kernel for the
// convolutions that are plain GEMMs — 1×1 filters, stride 1, no padding — so that A = x as [N·H·W, C] and
// B = w as [K, C], both K-major as int8 wgmma wants them. Internal to the launcher
// (conv_fprop_s8nhwc_s8krsc_s32acc_sm80.cu dispatches here); callers use conv_fprop_s8nhwc_s8krsc_s32acc.h.
#pragma once

#include <string>

#include <cuda_runtime.h>

#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h"

namespace qatrt::cuda {

// Why the sm_90 tiles cannot run `args` on the current device (not a GEMM-shaped convolution, not a
// compute capability 9.0 device, no TMA descriptor support in the driver), or "". Assumes
// conv_fprop_unsupported_reason(args) is empty.
std::string conv_gemm_sm90_unsupported_reason(const ConvFpropArgs& args);

// Enqueues the convolution with an sm_90 tile; requires conv_gemm_sm90_unsupported_reason(args) to be empty.
cudaError_t conv_gemm_sm90(const ConvFpropArgs& args, ConvTile tile, cudaStream_t stream);

}  // namespace qatrt::cuda
