// Device-side loads and stores of float activations that are float32 or float16 (IEEE binary16, __half): the
// kernels that take either compute in float32 and round to the element type only when they store (round to
// nearest even, __float2half_rn), so a float16 kernel differs from its float32 twin by its operands' and its
// result's rounding alone.
#pragma once

#include <cfloat>

#include <cuda_fp16.h>

namespace qatrt::cuda {

__device__ __forceinline__ float load_float(const float* p) { return *p; }
__device__ __forceinline__ float load_float(const __half* p) { return __half2float(*p); }
__device__ __forceinline__ void store_float(float* p, float value) { *p = value; }
__device__ __forceinline__ void store_float(__half* p, float value) { *p = __float2half_rn(value); }

// The lowest finite value of the element type, as a float (what an empty max-pool window gives).
template <typename T> constexpr float kLowest = -FLT_MAX;
template <> constexpr float kLowest<__half> = -65504.0f;

}  // namespace qatrt::cuda
