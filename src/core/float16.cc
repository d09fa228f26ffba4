#include "core/float16.h"

#include <bit>
#include <cmath>

namespace qatrt {

uint16_t float_to_half_bits(float value) {
  const uint32_t x = std::bit_cast<uint32_t>(value);
  const auto sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t magnitude = x & 0x7fffffffu;
  if (magnitude >= 0x7f800000u) return sign | (magnitude > 0x7f800000u ? 0x7e00u : 0x7c00u);  // NaN, ±inf
  // 65520 = 65504 + half an ulp: from there up, round-to-nearest-even gives inf.
  if (magnitude >= 0x477ff000u) return sign | 0x7c00u;
  if (magnitude < 0x38800000u) {
    // Below 2^-14 the half is subnormal, in units of 2^-24: the scaling by 2^24 is exact, and nearbyint rounds
    // ties to even (qatrt never changes the rounding mode). 1024 units is the smallest normal, 0x0400: right.
    const float units = std::nearbyint(std::bit_cast<float>(magnitude) * 0x1p24f);
    return sign | static_cast<uint16_t>(units);
  }
  // Rebias the exponent (127 → 15) and round the 13 dropped mantissa bits to nearest even; a carry out of the
  // mantissa moves into the exponent, which is the right result.
  uint32_t rebased = magnitude - 0x38000000u;
  rebased += 0x0fffu + ((rebased >> 13) & 1u);
  return sign | static_cast<uint16_t>(rebased >> 13);
}

float half_bits_to_float(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exponent = (bits >> 10) & 0x1fu, mantissa = bits & 0x3ffu;
  if (exponent == 0) {
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

}  // namespace qatrt
