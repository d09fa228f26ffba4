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

// std::nearbyint rounds half to even under the default FE_TONEAREST mode, which qatrt never changes.
inline int32_t quantize_value(float x, float scale, int64_t zero_point, DType type) {
  float r = std::nearbyint(x / scale) + static_cast<float>(zero_point);
  r = std::fmax(r, static_cast<float>(quant_min(type)));
  r = std::fmin(r, static_cast<float>(quant_max(type)));
  return static_cast<int32_t>(r);
}

inline float dequantize_value(int32_t q, float scale, int64_t zero_point) {
  return static_cast<float>(q - zero_point) * scale;
}

}  // namespace qatrt
