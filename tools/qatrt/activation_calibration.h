// Calibration of a recipe Q/DQ graph's activation quantizers, shared by `qatrt quantize` and `qatrt train`:
// the flags (--calib, --calib-images, --calib-method, --percentile, --calib-cache, --calib-batch) and the step
// (statistics from the cache when it covers every tensor, else from running the float model over the images,
// then cached; amax per tensor by the chosen method; scales set on the Q/DQ graph).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::cli {

struct CalibrationFlags {
  std::string images;  // folder (recursive) or list file
  std::string cache;
  std::string method = "max";
  double percentile = 99.99;
  int max_images = 0;  // 0 = all
  int batch = 8;
};

void add_calibration_flags(CLI::App* cmd, CalibrationFlags& flags);
// Checks the flags before any work is done (an unknown --calib-method fails at once).
Status check_calibration_flags(const CalibrationFlags& flags);

// Sets the activation ranges of `quantized` (insert_qdq applied to `float_model`). Prints what it does.
// Returns the number of ranges set.
StatusOr<size_t> calibrate_activations(const Graph& float_model, Graph& quantized, const CalibrationFlags& flags,
                                       const std::string& preprocess, int threads);

}  // namespace qatrt::cli
