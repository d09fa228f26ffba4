// Cast between float32 and float16 on the GPU (the conversions a --fp16 plan makes at its graph inputs and
// outputs): elementwise over `count` elements in whatever layout they are stored; float → half rounds to nearest
// even (__float2half_rn), half → float is exact. Device pointers; asynchronous on `stream`.
#pragma once

#include <cstdint>

#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace qatrt::cuda {

cudaError_t cast_f32_to_f16(const float* x, __half* y, int64_t count, cudaStream_t stream);
cudaError_t cast_f16_to_f32(const __half* x, float* y, int64_t count, cudaStream_t stream);

}  // namespace qatrt::cuda
