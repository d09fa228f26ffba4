#include "calibrate/calibration_cache.h"

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

namespace qatrt {

Status write_calibration_cache(const CalibrationStatistics& stats, const std::string& path) {
  nlohmann::json root;
  root["format"] = "qatrt-calibration";
  root["version"] = 1;
  root["images"] = stats.images;
  nlohmann::json& tensors = root["tensors"];
  for (const auto& [name, h] : stats.tensors)
    tensors[name] = {{"max", h.max_abs()}, {"bin_width", h.bin_width()}, {"counts", h.counts()}};
  // Write to a temporary file, then rename: an interrupted write never leaves a truncated cache behind.
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    if (!out) return make_error(StatusCode::kIoError, "cannot write calibration cache '", tmp, "'");
    out << root.dump();
    if (!out) return make_error(StatusCode::kIoError, "failed writing calibration cache '", tmp, "'");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(StatusCode::kIoError, "cannot rename '", tmp, "' to '", path, "'");
  return {};
}

StatusOr<CalibrationStatistics> read_calibration_cache(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(StatusCode::kNotFound, "calibration cache '", path, "' not found");
  nlohmann::json root = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object() || root.value("format", "") != "qatrt-calibration")
    return make_error(StatusCode::kCorrupt, "'", path, "' is not a qatrt calibration cache (bad JSON or format field)");
  if (root.value("version", 0) != 1)
    return make_error(StatusCode::kUnsupported, "calibration cache '", path, "' has version ", root.value("version", 0),
                      ", this qatrt reads version 1; re-run calibration");
  CalibrationStatistics stats;
  stats.images = root.value("images", int64_t{0});
  const auto& tensors = root["tensors"];
  if (!tensors.is_object()) return make_error(StatusCode::kCorrupt, "calibration cache '", path, "' has no tensors");
  for (const auto& [name, t] : tensors.items()) {
    if (!t.is_object() || !t.contains("counts") || !t["counts"].is_array() || !t.contains("max") ||
        !t.contains("bin_width") || t["counts"].empty())
      return make_error(StatusCode::kCorrupt, "calibration cache '", path, "': tensor '", name, "' is malformed");
    std::vector<uint64_t> counts;
    for (const auto& c : t["counts"]) {
      if (!c.is_number_unsigned())
        return make_error(StatusCode::kCorrupt, "calibration cache '", path, "': tensor '", name, "' has a bad count");
      counts.push_back(c.get<uint64_t>());
    }
    stats.tensors.emplace(name, AbsHistogram(std::move(counts), t["bin_width"].get<double>(), t["max"].get<float>()));
  }
  return stats;
}

}  // namespace qatrt
