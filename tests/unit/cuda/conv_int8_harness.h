// Runs one INT8 convolution case on the GPU and compares it with a host computation of the same function:
// a naive NCHW × KCRS int32 convolution (independent of the kernel's NHWC / KRSC layouts and of the weight
// packing) followed by the QConv epilogue written with core/quant.h, in the reference backend's float order.
#pragma once

#ifdef QATRT_HAVE_CUDA

#include <cstdint>
#include <span>
#include <string>

#include "backends/cuda/conv_fprop_s8nhwc_s8krsc_s32acc.h"

namespace qatrt::cuda::conv_check {

struct ConvCase {
  int n = 1, c = 32, h = 8, w = 8, k = 32, r = 3, s = 3;
  int stride_h = 1, stride_w = 1, pad_h = 1, pad_w = 1;
  std::string describe() const;  // "n=.. c=.. h=.. ..." — enough to rebuild the case
};

// What the epilogue does. kAccumulators: scale 1, no bias, float output, so y is the int32 accumulator
// converted exactly (the harness keeps |acc| <= 2^24 by narrowing the int8 value range when R·S·C is large).
struct EpilogueMode {
  bool accumulators_only = false;
  bool bias = false;
  ConvResidual residual = ConvResidual::kNone;
  bool relu = false;
  ConvOutput output = ConvOutput::kInt8;
  // Scale 1 and a power-of-two int8 output scale: y / s_out = acc / 2^e, so exact half-integer ties occur
  // (acc ≡ 2^(e−1) mod 2^e) and must round to even. Implies no bias and no residual.
  bool ties = false;
  std::string describe() const;
};

// Draws one random input set for `conv` (seeded), computes the host result once per mode, and runs every mode
// with every tile of kAllConvTiles that can run it on this device (conv_tile_unsupported_reason). Returns "" when each output element equals the host's bit for bit, in two
// runs over differently poisoned output buffers (catching unwritten elements and run-to-run differences),
// with the guard bytes after the output untouched; otherwise the case, mode, tile and first mismatches.
std::string check_conv_case(const ConvCase& conv, std::span<const EpilogueMode> modes, uint32_t seed);

}  // namespace qatrt::cuda::conv_check

#endif  // QATRT_HAVE_CUDA
