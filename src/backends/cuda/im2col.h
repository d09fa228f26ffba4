// im2col for a convolution over few input channels (ResNet's stem: C = 3), so it runs as a GEMM whose
// reduction packs (r, s, c) densely — R·S·C = 147 padded to 160 — instead of padding C to 32 (R·S·32 = 1568:
// 10× the executed MACs). The int32 sums add the same products in another order, so results are bit-identical.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

#include "backends/cuda/conv_int8/problem.h"

namespace qatrt::cuda {

// Longest row im2col_s8_nhwc takes (its rows are staged in shared memory: 64 rows, 45 KB).
constexpr int kMaxIm2colRowBytes = 704;

// x: int8 NHWC [g.n, g.h, g.w, g.c], g.c the stored channel count (a multiple of 8: 8 for the few-channel
// values this serves, device_layout.h), x 8-byte aligned; the first `channels` (≤ min(8, g.c)) of each pixel
// are gathered. a: int8 [g.gemm_m(), row_bytes], row m = output pixel (n, p, q), column (r·S + s)·channels + c;
// columns from R·S·channels up to row_bytes, and taps outside the image, are 0 (symmetric quantization only).
// Any filter size with R·S·channels ≤ row_bytes; row_bytes a multiple of 16, at most kMaxIm2colRowBytes; a
// 16-byte aligned (cudaErrorInvalidValue otherwise).
cudaError_t im2col_s8_nhwc(const int8_t* x, int8_t* a, const ConvGeometry& g, int channels, int row_bytes,
                           cudaStream_t stream);

}  // namespace qatrt::cuda
