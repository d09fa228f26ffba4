// Activation range (amax) from calibration statistics; scale = amax / 127 (symmetric int8).
//   max:        the largest |x| seen.
//   percentile: the |x| below which p % of the values lie (upper edge of that histogram bin).
//   entropy:    TensorRT's KL method — the clip point whose 128-level quantized distribution diverges least
//               (KL(P‖Q)) from the clipped reference distribution P (outliers folded into the last bin).
//   mse:        the clip point minimising the expected squared error of fake-quantizing the histogram's
//               values (bin centres weighted by counts).
#pragma once

#include <string>

#include "calibrate/histogram.h"
#include "core/status.h"

namespace qatrt {

enum class CalibrationMethod { kMax, kPercentile, kEntropy, kMse };

StatusOr<CalibrationMethod> parse_calibration_method(const std::string& text);  // "max", "percentile", ...
const char* calibration_method_name(CalibrationMethod method);

struct CalibrationOptions {
  CalibrationMethod method = CalibrationMethod::kMax;
  double percentile = 99.99;
};

// amax for one tensor; 0 when the tensor was all zeros (the caller must then choose a scale, e.g. 1).
float compute_amax(const AbsHistogram& histogram, const CalibrationOptions& options);

}  // namespace qatrt
