// Requantization to int8, exactly as the host does it (core/quant.h with z = 0):
//   q = saturate(roundTiesToEven(fl(y / s)))       fl(): the correctly rounded float quotient
// without a division on the common path. A true division per element is expensive on the GPU, and its fast
// path gives up on a zero numerator (every ReLU zero) for a slow subroutine. Instead t = fl(y · fl(1/s)):
//   for |t| < 256, |t − fl(y/s)| <= |y/s|·(2^-24 + 2^-24) + |y/s|·2^-24 < 2^-14,
// so t and fl(y/s) round to the same integer unless t lies within 2^-14 of a half-integer; only then (rarely)
// is the quotient computed exactly. |t| >= 256 (or NaN) saturates either way. Host and device share this code
// so the host test can sweep near-ties that random kernel inputs almost never hit.
#pragma once

#include <cmath>
#include <cstdint>

#include "backends/cuda/conv_int8/problem.h"  // QATRT_HOST_DEVICE

namespace qatrt::cuda::conv_int8 {

// fl(1 / s), computed once per thread.
QATRT_HOST_DEVICE inline float reciprocal(float s) {
#ifdef __CUDA_ARCH__
  return __frcp_rn(s);
#else
  return 1.0f / s;
#endif
}

QATRT_HOST_DEVICE inline int8_t requantize(float y, float s, float inverse_s) {
#ifdef __CUDA_ARCH__
  const float t = __fmul_rn(y, inverse_s);  // no contraction into the subtraction below
#else
  const float t = y * inverse_s;
#endif
  if (!(fabsf(t) < 256.0f)) return t > 0.0f ? 127 : -128;  // NaN → −128, like fmax/fmin on the host
  float r = rintf(t);                                        // round half to even
  if (fabsf(fabsf(t - r) - 0.5f) < 0x1p-14f) {               // t − r is exact (|t| < 256, |t − r| <= 0.5)
#ifdef __CUDA_ARCH__
    r = rintf(__fdiv_rn(y, s));
#else
    r = rintf(y / s);
#endif
  }
  return static_cast<int8_t>(fminf(fmaxf(r, -128.0f), 127.0f));
}

}  // namespace qatrt::cuda::conv_int8
