#include "calibrate/calibration_cache.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

namespace qatrt {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("qatrt_cache_test_" + name)).string();
}

TEST(CalibrationCache, RoundTripKeepsCountsWidthAndMax) {
  CalibrationStatistics stats;
  stats.images = 12;
  AbsHistogram h(16);
  std::vector<float> values = {0.5f, -1.25f, 3.0f, 0.0f};
  h.observe(values);
  stats.tensors.emplace("conv1_input", h);
  std::string path = temp_path("roundtrip.json");
  ASSERT_TRUE(write_calibration_cache(stats, path).ok());
  auto read = read_calibration_cache(path);
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(read->images, 12);
  const AbsHistogram& back = read->tensors.at("conv1_input");
  EXPECT_EQ(back.counts(), h.counts());
  EXPECT_DOUBLE_EQ(back.bin_width(), h.bin_width());
  EXPECT_EQ(back.max_abs(), 3.0f);
  std::remove(path.c_str());
}

TEST(CalibrationCache, BadFilesAreClearErrorsNamingThePath) {
  EXPECT_EQ(read_calibration_cache(temp_path("absent.json")).status().code(), StatusCode::kNotFound);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"not_json", "{ this is not json"},
      {"other_format", R"({"format": "something-else", "version": 1, "tensors": {}})"},
      {"bad_tensor", R"({"format": "qatrt-calibration", "version": 1, "tensors": {"x": {"max": 1}}})"},
      {"bad_count", R"({"format": "qatrt-calibration", "version": 1, "tensors": {"x": {"max": 1, "bin_width": 0.1, "counts": [-3]}}})"},
      {"new_version", R"({"format": "qatrt-calibration", "version": 7, "tensors": {}})"},
  };
  for (const auto& [name, text] : cases) {
    std::string path = temp_path(name + ".json");
    std::ofstream(path) << text;
    auto read = read_calibration_cache(path);
    ASSERT_FALSE(read.ok()) << name;
    EXPECT_NE(read.status().message().find(path), std::string::npos) << name << ": " << read.status().message();
    std::remove(path.c_str());
  }
}

}  // namespace
}  // namespace qatrt
