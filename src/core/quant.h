// Quantization parameters and the exact Q / DQ arithmetic every backend must match (GUIDE §2):
//   Q:  q = saturate(roundTiesToEven(x / s) + z)      DQ:  x = (q − z) · s
// Per-tensor when scales has one element, else per-axis along `axis` (already made non-negative).
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "core/dtype.h"

namespace qatrt {

struct QuantParams {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;  // same length as scales
  int64_t axis = 1;                  // used only when per_axis()

  bool per_axis() const { return scales.size() > 1; }
  bool symmetric() const;  // every zero point is 0
  float scale(int64_t channel) const { return per_axis() ? scales[channel] : scales[0]; }
  int64_t zero_point(int64_t channel) const { return per_axis() ? zero_points[channel] : zero_points[0]; }
  bool operator==(const QuantParams& other) const = default;
};

inline int32_t quant_min(DType type) { return type == DType::kUInt8 ? 0 : -128; }
inline int32_t quant_max(DType type) { return type == DType::kUInt8 ? 255 : 127; }

// Q and DQ with every step in Real: float for quantize_value / dequantize_value (the default), double for
// quantize_value_exact / dequantize_value_exact (nodes built with exact rounding, src/ir/ops.h: x / scale is a
// true division in double, where float32 can round the other way at a .5 boundary).
// std::nearbyint rounds half to even under the default FE_TONEAREST mode, which qatrt never changes.
template <typename Real>
inline int32_t quantize_in(Real x, Real scale, int64_t zero_point, DType type) {
  Real r = std::nearbyint(x / scale) + static_cast<Real>(zero_point);
  r = std::fmax(r, static_cast<Real>(quant_min(type)));
  r = std::fmin(r, static_cast<Real>(quant_max(type)));
  return static_cast<int32_t>(r);
}

template <typename Real>
inline Real dequantize_in(int32_t q, Real scale, int64_t zero_point) {
  return static_cast<Real>(q - zero_point) * scale;
}

inline int32_t quantize_value(float x, float scale, int64_t zero_point, DType type) {
  return quantize_in<float>(x, scale, zero_point, type);
}
inline float dequantize_value(int32_t q, float scale, int64_t zero_point) {
  return dequantize_in<float>(q, scale, zero_point);
}
// The same value as quantize_in<double>, without libm calls (nearbyint, fmax and fmin are calls on baseline
// x86-64, one each per element of every exact epilogue): saturate first, with comparisons that send NaN to the
// type's minimum as fmax does, then round half to even by adding and subtracting 1.5·2^52, exact for
// |t| < 2^51. Saturating before rounding gives the same integer: every value beyond a bound rounds to the
// bound or past it, and is then clamped to it.
inline int32_t quantize_value_exact(double y, double scale, int64_t zero_point, DType type) {
  constexpr double kRoundingShift = 0x1.8p52;
  const double low = static_cast<double>(quant_min(type) - zero_point);
  const double high = static_cast<double>(quant_max(type) - zero_point);
  double t = y / scale;
  t = t >= low ? t : low;  // NaN compares false: low
  t = t <= high ? t : high;
  t = (t + kRoundingShift) - kRoundingShift;
  return static_cast<int32_t>(t) + static_cast<int32_t>(zero_point);
}
inline double dequantize_value_exact(int32_t q, double scale, int64_t zero_point) {
  return dequantize_in<double>(q, scale, zero_point);
}

}  // namespace qatrt
