// Quantize / dequantize kernels on the GPU, with the exact semantics of src/core/quant.h:
//   q = saturate(roundTiesToEven(x / s) + z)   (cvt.rni: round to nearest even, like std::nearbyint)
//   x = (q − z) · s
// Per-tensor scale; int8 output. Pointers are device pointers; the call is asynchronous on `stream`.
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace qatrt::cuda {

cudaError_t quantize_s8(const float* x, int8_t* q, int64_t count, float scale, int32_t zero_point, cudaStream_t stream);
cudaError_t dequantize_s8(const int8_t* q, float* x, int64_t count, float scale, int32_t zero_point,
                          cudaStream_t stream);

}  // namespace qatrt::cuda
