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
// to [lower, 127] (lower = −128, or 0 for a relu folded in: requantize_bits_unchecked) and rounded by the
// 1.5·2^23 addition, whose bits carry the int8 in their low byte; a NaN t goes to the fallback, whose clamp turns
// it into −128, like fmax/fmin on the host. Same result as rounding first and saturating after: for t in
// [−128, 127] nothing changes; every t > 127 gives 127 either way (rint(t) >= 127, and near 127.5 the exact
// quotient rounds to 127 or 128, both saturating to 127), every t < −128 gives −128 likewise. A clamped t is an
// integer, so the tie test never fires for it; when it fires, t lies within 2^-14 of a half-integer in
// [−127.5, 126.5] and so does fl(y/s) (within 2^-14 of t), whose rounding is then already in [−128, 127]. The
// fallback clamps the quotient all the same: the epilogue sends a whole row of 16 elements to it when one of
// them lies near a tie.
// fl(1/s) overflows to infinity for a scale below 2^-128 (subnormal): then t carries no information, and every
// element takes the division (reciprocal_is_usable).
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
// Whether t = y · inverse_s can stand for y / s (the argument at the top): not when 1/s overflowed.
QATRT_HOST_DEVICE inline bool reciprocal_is_usable(float inverse_s) { return std::isfinite(inverse_s); }

// |t − rint(t)| above this: t lies within 2^-14 of a half-integer (t − rint(t) is exact and never exceeds 1/2 in
// magnitude, so the test ||t − rint(t)| − 1/2| < 2^-14 reads as one comparison; 1/2 − 2^-14 is a float).
inline constexpr float kNearTie = 0.5f - 0x1p-14f;

// max and min that return NaN when an operand is NaN (PTX max.NaN / min.NaN, one instruction each).
QATRT_HOST_DEVICE inline float max_keeping_nan(float a, float b) {
#ifdef __CUDA_ARCH__
  float result;
  asm("max.NaN.f32 %0, %1, %2;" : "=f"(result) : "f"(a), "f"(b));
  return result;
#else
  return std::isnan(a) || std::isnan(b) ? std::nanf("") : std::fmax(a, b);
#endif
}
QATRT_HOST_DEVICE inline float min_keeping_nan(float a, float b) {
#ifdef __CUDA_ARCH__
  float result;
  asm("min.NaN.f32 %0, %1, %2;" : "=f"(result) : "f"(a), "f"(b));
  return result;
#else
  return std::isnan(a) || std::isnan(b) ? std::nanf("") : std::fmin(a, b);
#endif
}

// The host's relu (std::max(y, 0.0f)): keeps −0 and NaN.
QATRT_HOST_DEVICE inline float relu_as_host(float y) { return y < 0.0f ? 0.0f : y; }

// One element's requantization without its fallback: the bits of rint(clamp(t, lower, 127)) (round_to_integer_bits;
// the int8 in their low byte), and near_tie |= whether the fallback must decide instead: t lies within 2^-14 of a
// half-integer, or is NaN (the clamps keep it, so the test, unordered, fires). lower = −128 requantizes y;
// lower = 0 requantizes relu(y) for every y that is not NaN (y < 0 gives t <= 0 and so 0, as relu(y) = 0 does;
// the fallback applies relu_as_host, which keeps a NaN y NaN). Split off so that a thread can test 16 elements and
// branch once: a branch per element, and the convergence bookkeeping around it, cost more issue slots than the
// arithmetic it guards.
QATRT_HOST_DEVICE inline float requantize_bits_unchecked(float y, float inverse_s, float lower, bool& near_tie) {
#ifdef __CUDA_ARCH__
  const float t = __fmul_rn(y, inverse_s);  // no contraction into the subtraction below
#else
  const float t = y * inverse_s;
#endif
  const float saturated = min_keeping_nan(max_keeping_nan(t, lower), 127.0f);
  const float integer_bits = round_to_integer_bits(saturated);
  near_tie |= !(fabsf(add_rn(saturated, -rounded_value(integer_bits))) <= kNearTie);  // saturated − rint: exact
  return integer_bits;
}

// The host's requantization itself, through the correctly rounded quotient: rint(saturate(fl(y / s))), whose
// bits (round_to_integer_bits) hold the same int8 as saturate(rint(fl(y / s))) (see the top of this file). The
// fallback of requantize, and of a whole row of the epilogue where one of its elements lies near a tie.
QATRT_HOST_DEVICE inline float requantize_bits_by_division(float y, float s) {
#ifdef __CUDA_ARCH__
  const float quotient = __fdiv_rn(y, s);
#else
  const float quotient = y / s;
#endif
  return round_to_integer_bits(fminf(fmaxf(quotient, -128.0f), 127.0f));
}

// One value's requantization, as the host does it (the scalar path of the epilogue, QuantizeLinear).
QATRT_HOST_DEVICE inline int8_t requantize(float y, float s, float inverse_s) {
  bool near_tie = !reciprocal_is_usable(inverse_s);
  const float integer_bits = requantize_bits_unchecked(y, inverse_s, -128.0f, near_tie);
  const uint32_t bits = bits_of(near_tie ? requantize_bits_by_division(y, s) : integer_bits);
  return static_cast<int8_t>(static_cast<uint8_t>(bits & 0xffu));
}

}  // namespace qatrt::cuda::conv_int8
