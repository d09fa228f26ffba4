// The epilogue of a float layer that runs as a plain cuDNN convolution (float_conv_node.cc, the unfused path):
//   y = relu?( (y + bias[c]) + residual )   in place, over `rows` × `channels` elements, channels innermost
// (NHWC rows, or the [M, N] rows of a FusedGemm). The additions happen in that order, in float32 — the
// reference backend's order, and our fused graph's — and relu is (v < 0 ? 0 : v), which keeps NaN and −0 as
// std::max(v, 0.0f) does. float16 elements are widened to float32 and the result rounded once (round to nearest
// even). `bias` ([channels]) and `residual` (y's shape) may be null: that term is then not added. Device
// pointers; asynchronous on `stream`, graph-capturable. 16-byte-aligned pointers with channels a multiple of the
// vector width (4 floats, 8 halves) take 16-byte loads and stores; anything else runs element by element.
#pragma once

#include <cstdint>

#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace qatrt::cuda {

cudaError_t add_bias_residual_relu(float* y, const float* bias, const float* residual, int64_t rows, int channels,
                                   bool relu, cudaStream_t stream);
cudaError_t add_bias_residual_relu(__half* y, const __half* bias, const __half* residual, int64_t rows,
                                   int channels, bool relu, cudaStream_t stream);

}  // namespace qatrt::cuda
