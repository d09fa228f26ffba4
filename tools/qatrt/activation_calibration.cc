#include "activation_calibration.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "calibrate/calibrators.h"
#include "calibrate/collect_statistics.h"
#include "data/image_list.h"
#include "model_io.h"
#include "passes/insert_qdq.h"

namespace qatrt::cli {
namespace {

// Statistics from the cache when it covers every tensor, else from running the images (then cached).
StatusOr<CalibrationStatistics> statistics_for(const Graph& model, const std::vector<std::string>& tensors,
                                               const CalibrationFlags& o, const std::string& preprocess, int threads) {
  if (!o.cache.empty() && std::filesystem::exists(o.cache)) {
    QATRT_ASSIGN_OR_RETURN(CalibrationStatistics cached, read_calibration_cache(o.cache));
    bool covers = std::all_of(tensors.begin(), tensors.end(), [&](const std::string& t) { return cached.tensors.count(t); });
    if (covers) {
      std::printf("      statistics from cache %s (%lld images)\n", o.cache.c_str(), static_cast<long long>(cached.images));
      return cached;
    }
    std::printf("      cache %s does not cover this model's tensors; recalibrating\n", o.cache.c_str());
  }
  if (o.images.empty())
    return make_error(StatusCode::kInvalidArgument, "no calibration images: pass --calib DIR (or a --calib-cache that exists)");
  QATRT_ASSIGN_OR_RETURN(std::vector<std::string> images, list_images(o.images, static_cast<size_t>(o.max_images)));
  QATRT_ASSIGN_OR_RETURN(PreprocessPreset preset, parse_preprocess_preset(preprocess));
  // Images sized for the model's input, as `qatrt eval` prepares them (shorter side 256/224 of the crop).
  QATRT_ASSIGN_OR_RETURN(ImageInput input, describe_image_input(model));
  CollectOptions collect{.preprocess = image_preprocessing(input, preset), .batch = o.batch, .threads = threads};
  std::printf("      %zu images from %s, preprocess %s\n", images.size(), o.images.c_str(), preprocess.c_str());
  QATRT_ASSIGN_OR_RETURN(CalibrationStatistics stats, collect_statistics(model, tensors, images, collect));
  if (!o.cache.empty()) {
    QATRT_RETURN_IF_ERROR(write_calibration_cache(stats, o.cache));
    std::printf("      wrote cache %s\n", o.cache.c_str());
  }
  return stats;
}

}  // namespace

void add_calibration_flags(CLI::App* cmd, CalibrationFlags& flags) {
  cmd->add_option("--calib", flags.images, "Calibration images: a folder (recursive) or a list file");
  cmd->add_option("--calib-images", flags.max_images, "Use at most this many calibration images (0 = all)");
  cmd->add_option("--calib-method", flags.method, "max, percentile, entropy or mse");
  cmd->add_option("--percentile", flags.percentile, "Percentile for --calib-method percentile");
  cmd->add_option("--calib-cache", flags.cache, "Histogram cache: read if it covers the model, else written");
  cmd->add_option("--calib-batch", flags.batch, "Images per calibration batch");
}

Status check_calibration_flags(const CalibrationFlags& flags) {
  return parse_calibration_method(flags.method).status();
}

StatusOr<size_t> calibrate_activations(const Graph& float_model, Graph& quantized, const CalibrationFlags& flags,
                                       const std::string& preprocess, int threads) {
  QATRT_ASSIGN_OR_RETURN(CalibrationMethod method, parse_calibration_method(flags.method));
  std::vector<std::string> tensors = tensors_to_calibrate(quantized);
  QATRT_ASSIGN_OR_RETURN(CalibrationStatistics stats, statistics_for(float_model, tensors, flags, preprocess, threads));
  std::map<std::string, float> amax;
  CalibrationOptions calibration{.method = method, .percentile = flags.percentile};
  for (const std::string& t : tensors) amax[t] = compute_amax(stats.tensors.at(t), calibration);
  QATRT_RETURN_IF_ERROR(set_activation_ranges(quantized, amax));
  return amax.size();
}

}  // namespace qatrt::cli
