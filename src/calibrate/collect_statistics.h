// Runs a float model through qatrt's own runtime over a folder of images and histograms the activation
// tensors that calibration must range (the inputs of the recipe's quantizers).
#pragma once

#include <string>
#include <vector>

#include "calibrate/calibration_cache.h"
#include "core/status.h"
#include "data/preprocess.h"
#include "ir/graph.h"

namespace qatrt {

struct CollectOptions {
  PreprocessOptions preprocess;
  int batch = 8;
  int threads = 0;  // runtime and decoding threads; 0 = all
  std::string backend = "cpu";
  bool progress = true;
};

// `model`: the float graph (before Q/DQ insertion); `tensors`: names of its values to observe.
StatusOr<CalibrationStatistics> collect_statistics(const Graph& model, const std::vector<std::string>& tensors,
                                                   const std::vector<std::string>& images, const CollectOptions& options);

}  // namespace qatrt
