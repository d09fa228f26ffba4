// The calibration cache: every observed tensor's |x| histogram and exact max, as JSON, so the four
// calibration methods can be compared without running the images again.
//   {"format": "qatrt-calibration", "version": 1, "images": 1000,
//    "tensors": {"conv1_input": {"max": 151.06, "bin_width": 0.0738, "counts": [..2048 ints..]}, ...}}
#pragma once

#include <map>
#include <string>

#include "calibrate/histogram.h"
#include "core/status.h"

namespace qatrt {

struct CalibrationStatistics {
  int64_t images = 0;
  std::map<std::string, AbsHistogram> tensors;
};

Status write_calibration_cache(const CalibrationStatistics& stats, const std::string& path);
StatusOr<CalibrationStatistics> read_calibration_cache(const std::string& path);

}  // namespace qatrt
