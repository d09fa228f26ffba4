// Requantization to int8, exactly as the host does it (core/quant.h with z = 0):
//   q = saturate(roundTiesToEven(fl(y / s)))       fl(): the correctly rounded float quotient
// without a division on the common path. A true division per element is expensive on the GPU, and its fast
// path gives up on a zero numerator (every ReLU zero) for a slow subroutine. Instead t = fl(y · fl(1/s)):
//   for |t| < 256, |t − fl(y/s)| <= |y/s|·(2^-24 + 2^-24) + |y/s|·2^-24 < 2^-14,
// so t and fl(y/s) round to the same integer unless t lies within 2^-14 of a half-integer; only then (rarely)
// is the quotient computed exactly. Host and device share this code so the host test can sweep near-ties that
// random kernel inputs almost never hit.
//
// Saturation comes first, rounding after, without conversion instructions (float_conversions.h): t is clamped
// to [−128, 127] (NaN → −128, like fmax/fmin on the host) and rounded by the 1.5·2^23 addition, whose bits carry
// the int8 in their low byte. Same result as rounding first and saturating after: for t in [−128, 127] nothing
// changes; every t > 127 gives 127 either way (rint(t) >= 127, and near 127.5 the exact quotient rounds to 127
// or 128, both saturating to 127), every t < −128 gives −128 likewise. A clamped t is an integer, so the tie
// test never fires for it; when it fires, t lies within 2^-14 of a half-integer in [−127.5, 126.5] and so does
// fl(y/s) (within 2^-14 of t), whose rounding is then already in [−128, 127].
#pragma once

#include <cmath>
#include <cstdint>

#include "backends/cuda/conv_int8/float_conversions.h"
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

// The requantized int8 in the low byte of the result (the other bytes are not zero): what pack_low_bytes takes.
QATRT_HOST_DEVICE inline uint32_t requantize_low_byte(float y, float s, float inverse_s) {
#ifdef __CUDA_ARCH__
  const float t = __fmul_rn(y, inverse_s);  // no contraction into the subtraction below
#else
  const float t = y * inverse_s;
#endif
  const float saturated = fminf(fmaxf(t, -128.0f), 127.0f);
  float integer_bits = round_to_integer_bits(saturated);
  const float r = rounded_value(integer_bits);                   // rint(saturated)
  if (fabsf(fabsf(saturated - r) - 0.5f) < 0x1p-14f) {            // saturated − r is exact (|r| <= 128)
#ifdef __CUDA_ARCH__
    integer_bits = round_to_integer_bits(__fdiv_rn(y, s));
#else
    integer_bits = round_to_integer_bits(y / s);
#endif
  }
  return bits_of(integer_bits);
}

QATRT_HOST_DEVICE inline int8_t requantize(float y, float s, float inverse_s) {
  return static_cast<int8_t>(static_cast<uint8_t>(requantize_low_byte(y, s, inverse_s) & 0xffu));
}

}  // namespace qatrt::cuda::conv_int8
