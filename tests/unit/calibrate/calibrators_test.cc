#include "calibrate/calibrators.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <vector>

namespace qatrt {
namespace {

std::vector<float> samples(int n, const std::function<float(std::mt19937&)>& draw) {
  std::mt19937 rng(1234);
  std::vector<float> out(static_cast<size_t>(n));
  for (auto& v : out) v = draw(rng);
  return out;
}

AbsHistogram histogram_of(const std::vector<float>& values, size_t batches = 4) {
  AbsHistogram h;
  size_t step = values.size() / batches;
  for (size_t b = 0; b < batches; ++b) h.observe(std::span<const float>(values).subspan(b * step, step));
  return h;
}

float amax_for(const AbsHistogram& h, CalibrationMethod method, double percentile = 99.99) {
  return compute_amax(h, {.method = method, .percentile = percentile});
}

TEST(AbsHistogram, GrowingRangeMergesBinsAndKeepsEveryCount) {
  AbsHistogram h(8);
  std::vector<float> first = {0.1f, 0.5f, 0.9f, 1.0f};
  h.observe(first);
  double width = h.bin_width();
  std::vector<float> second = {3.9f, -2.0f};
  h.observe(second);
  EXPECT_EQ(h.total(), 6u);
  EXPECT_DOUBLE_EQ(h.bin_width(), width * 4);  // 1.0001 → 4.0004 covers 3.9
  EXPECT_FLOAT_EQ(h.max_abs(), 3.9f);
  EXPECT_EQ(h.counts()[0] + h.counts()[1], 4u) << "the four small values stay in the first two bins";
}

TEST(Calibrators, MaxIsTheLargestMagnitude) {
  auto v = samples(10000, [](std::mt19937& r) { return std::uniform_real_distribution<float>(-3, 2)(r); });
  v.push_back(-7.5f);
  EXPECT_FLOAT_EQ(amax_for(histogram_of(v, 1), CalibrationMethod::kMax), 7.5f);
}

TEST(Calibrators, PercentileOfUniformMagnitudes) {
  auto v = samples(200000, [](std::mt19937& r) { return std::uniform_real_distribution<float>(-1, 1)(r); });
  AbsHistogram h = histogram_of(v);
  for (double p : {50.0, 90.0, 99.0}) {
    float amax = amax_for(h, CalibrationMethod::kPercentile, p);
    EXPECT_NEAR(amax, p / 100.0, 0.01) << "percentile " << p;
  }
}

TEST(Calibrators, MseOfGaussianAndLaplaceMatchesKnownOptimalClipping) {
  // Known optimal 8-bit clipping (Banner et al., ACIQ): about 4σ for a Gaussian and about 10b for a Laplace
  // distribution; both well below the sample max at 1e6 samples (≈ 4.9σ and ≈ 13.8b).
  auto gauss = samples(1000000, [](std::mt19937& r) { return std::normal_distribution<float>(0, 1)(r); });
  float g = amax_for(histogram_of(gauss), CalibrationMethod::kMse);
  EXPECT_GT(g, 3.0f);
  EXPECT_LT(g, 4.6f);
  auto laplace = samples(1000000, [](std::mt19937& r) {
    float e = std::exponential_distribution<float>(1)(r);
    return std::bernoulli_distribution(0.5)(r) ? e : -e;
  });
  AbsHistogram hl = histogram_of(laplace);
  float l = amax_for(hl, CalibrationMethod::kMse);
  EXPECT_GT(l, 7.0f);
  EXPECT_LT(l, 12.0f);
  EXPECT_LT(l, hl.max_abs());
}

TEST(Calibrators, EntropyClipsRareOutliers) {
  auto v = samples(500000, [](std::mt19937& r) { return std::normal_distribution<float>(0, 1)(r); });
  for (int i = 0; i < 20; ++i) v[static_cast<size_t>(i) * 1000] = 60.0f;  // rare, far outliers
  AbsHistogram h = histogram_of(v);
  float entropy = amax_for(h, CalibrationMethod::kEntropy);
  EXPECT_FLOAT_EQ(h.max_abs(), 60.0f);
  EXPECT_GT(entropy, 2.0f) << "must keep the bulk of the Gaussian";
  EXPECT_LT(entropy, 15.0f) << "must clip the outliers at 60";
}

TEST(Calibrators, AllZeroTensorGivesZeroAmax) {
  std::vector<float> zeros(100, 0.0f);
  AbsHistogram h;
  h.observe(zeros);
  for (auto m : {CalibrationMethod::kMax, CalibrationMethod::kPercentile, CalibrationMethod::kEntropy,
                 CalibrationMethod::kMse})
    EXPECT_EQ(amax_for(h, m), 0.0f) << calibration_method_name(m);
}

TEST(Calibrators, ParseMethodNamesTheChoicesOnError) {
  EXPECT_TRUE(parse_calibration_method("entropy").ok());
  auto bad = parse_calibration_method("kl");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("max, percentile, entropy or mse"), std::string::npos);
}

}  // namespace
}  // namespace qatrt
