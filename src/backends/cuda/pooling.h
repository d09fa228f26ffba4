// Pooling on the GPU, in the CUDA backend's activation layout (NHWC, device_layout.h). Device pointers; the
// calls are asynchronous on `stream`.
//   max_pool_s8_nhwc: ONNX MaxPool (dilation 1) on int8; a tap in the padding never wins (the window's max
//     over its taps inside the image, −128 if none is), exactly like the reference backend.
//   max_pool_f32_nhwc, max_pool_f16_nhwc: the same on float32 / float16 (the lowest finite value where no tap
//     is inside the image).
//   global_average_pool_f32_nhwc: y[n, c] = (Σ over H·W of x, added in pixel order) / (H·W) — the reference
//     backend's float order, so the result is bit-identical. The float16 version adds the same way in float32
//     and rounds the mean to float16.
#pragma once

#include <cstdint>

#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace qatrt::cuda {

struct PoolGeometry {
  int n = 1, h = 1, w = 1, c = 16;  // input; c: the stored channel count (int8: 8 or a multiple of 32)
  int p = 1, q = 1;                // output height and width (from shape inference, ceil_mode included)
  int kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;  // leading pads
};

// geometry.c a multiple of 8; x and y aligned to 16 bytes where it is a multiple of 16, else to 8
// (cudaErrorInvalidValue otherwise).
cudaError_t max_pool_s8_nhwc(const int8_t* x, int8_t* y, const PoolGeometry& geometry, cudaStream_t stream);

cudaError_t max_pool_f32_nhwc(const float* x, float* y, const PoolGeometry& geometry, cudaStream_t stream);
cudaError_t max_pool_f16_nhwc(const __half* x, __half* y, const PoolGeometry& geometry, cudaStream_t stream);

// x: float NHWC [n, pixels, c]; y: float [n, c].
cudaError_t global_average_pool_f32_nhwc(const float* x, float* y, int n, int pixels, int c, cudaStream_t stream);
cudaError_t global_average_pool_f16_nhwc(const __half* x, __half* y, int n, int pixels, int c, cudaStream_t stream);

}  // namespace qatrt::cuda
