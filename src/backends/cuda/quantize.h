// Quantize / dequantize kernels on the GPU, with the exact semantics of src/core/quant.h:
//   q = saturate(roundTiesToEven(x / s) + z)   (cvt.rni: round to nearest even, like std::nearbyint)
//   x = (q − z) · s
// Per-tensor scale; int8 output. Pointers are device pointers; the call is asynchronous on `stream`.
// The flat forms treat the tensor as a sequence; the _nhwc forms convert between a float tensor [N,C,H,W]
// and the CUDA backend's int8 activation layout (NHWC, channels padded to padded_c = stored_channels,
// device_layout.h).
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace qatrt::cuda {

cudaError_t quantize_s8(const float* x, int8_t* q, int64_t count, float scale, int32_t zero_point, cudaStream_t stream);
cudaError_t dequantize_s8(const int8_t* q, float* x, int64_t count, float scale, int32_t zero_point,
                          cudaStream_t stream);

// x: float [N,C,H,W] stored NCHW (x_nchw) or NHWC. q: int8 NHWC with padded_c >= c channels (stored_channels:
// 8 or a multiple of 32); the padding channels get zero_point (the real value 0), so a convolution over them
// adds nothing. From NCHW, padded_c must be a multiple of 8 and q aligned to 16 bytes where padded_c is a
// multiple of 16, else to 8 (cudaErrorInvalidValue otherwise).
cudaError_t quantize_s8_to_nhwc(const float* x, bool x_nchw, int8_t* q, int n, int c, int h, int w, int padded_c,
                                float scale, int32_t zero_point, cudaStream_t stream);
// q: int8 NHWC with padded_c channels, `pixels` = N·H·W of them. x: float NHWC with c channels.
cudaError_t dequantize_s8_from_nhwc(const int8_t* q, float* x, int64_t pixels, int c, int padded_c, float scale,
                                    int32_t zero_point, cudaStream_t stream);

}  // namespace qatrt::cuda
