// The GPU epilogue's division-free requantization (src/backends/cuda/conv_int8/requantize.h) against
// core/quant.h's quantize_value, on the host (the code is shared with the device): random values, values
// within a few ulps of every half-integer tie, and special values. Needs no GPU, so it runs everywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "backends/cuda/conv_int8/requantize.h"
#include "core/quant.h"

namespace qatrt::cuda::conv_int8 {
namespace {

std::string exact(float v) {  // hexadecimal: the failing case can be pasted back bit for bit
  char text[64];
  std::snprintf(text, sizeof text, "%a", static_cast<double>(v));
  return text;
}

::testing::AssertionResult same_as_host(float y, float s) {
  const int expected = quantize_value(y, s, 0, DType::kInt8);
  const int got = requantize(y, s, reciprocal(s));
  if (got == expected) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "y=" << exact(y) << " s=" << exact(s) << ": got " << got << ", host "
                                       << expected;
}

float log_uniform_scale(std::mt19937& rng) {
  return std::exp2(std::uniform_real_distribution<float>(-20.0f, 20.0f)(rng));
}

TEST(CudaRequantize, MatchesHostOnRandomValues) {
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> ratio(-300.0f, 300.0f);
  for (int i = 0; i < 1'000'000; ++i) {
    const float s = log_uniform_scale(rng);
    ASSERT_TRUE(same_as_host(ratio(rng) * s, s));
  }
}

TEST(CudaRequantize, MatchesHostWithinUlpsOfEveryTie) {
  std::mt19937 rng(12);
  int ties_seen = 0;
  for (int trial = 0; trial < 2'000; ++trial) {
    const float s = trial < 100 ? std::exp2(static_cast<float>(trial % 40 - 20)) : log_uniform_scale(rng);
    for (int n = -131; n <= 130; ++n) {
      float y = (static_cast<float>(n) + 0.5f) * s;
      for (int step = 0; step < 6; ++step) y = std::nextafter(y, -std::numeric_limits<float>::infinity());
      for (int step = 0; step < 13; ++step, y = std::nextafter(y, std::numeric_limits<float>::infinity())) {
        ties_seen += y / s == static_cast<float>(n) + 0.5f;
        ASSERT_TRUE(same_as_host(y, s)) << "n=" << n;
      }
    }
  }
  EXPECT_GT(ties_seen, 10'000) << "the sweep should hit exact ties";
}

// The epilogue folds a relu into the clamp's lower bound (lower = 0) and sends NaN and near-tie rows to the
// division fallback after the host's relu: the same int8 as requantizing relu(y), for every y.
int requantize_after_relu(float y, float s) {
  bool near_tie = false;
  float bits = requantize_bits_unchecked(y, reciprocal(s), 0.0f, near_tie);
  if (near_tie) bits = requantize_bits_by_division(relu_as_host(y), s);
  return static_cast<int8_t>(bits_of(bits) & 0xffu);
}

TEST(CudaRequantize, ReluInTheClampMatchesHostReluThenQuantize) {
  std::mt19937 rng(14);
  std::uniform_real_distribution<float> ratio(-300.0f, 300.0f);
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> specials = {0.0f, -0.0f, inf, -inf, std::nanf(""), -std::nanf(""),
                                 std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min()};
  for (int i = 0; i < 1'000'000; ++i) {
    const float s = log_uniform_scale(rng);
    float y = ratio(rng) * s;
    if (i % 4 == 0) y = (std::round(y / s) + 0.5f) * s;  // at (or a rounding away from) a tie
    if (i % 1000 < static_cast<int>(specials.size())) y = specials[i % 1000];
    const int expected = quantize_value(relu_as_host(y), s, 0, DType::kInt8);
    ASSERT_EQ(requantize_after_relu(y, s), expected) << "y=" << exact(y) << " s=" << exact(s);
  }
}

// The epilogue requantizes a whole row by division when one of its elements lies near a tie, so the fallback
// must equal the host for every value, not only near ties.
TEST(CudaRequantize, DivisionFallbackMatchesHostEverywhere) {
  std::mt19937 rng(13);
  std::uniform_real_distribution<float> ratio(-300.0f, 300.0f);
  const float inf = std::numeric_limits<float>::infinity();
  for (int i = 0; i < 1'000'000; ++i) {
    const float s = log_uniform_scale(rng);
    const float y = i % 1000 == 0 ? (i % 3000 == 0 ? inf : i % 3000 == 1000 ? -inf : std::nanf("")) : ratio(rng) * s;
    const int expected = quantize_value(y, s, 0, DType::kInt8);
    const auto got = static_cast<int8_t>(bits_of(requantize_bits_by_division(y, s)) & 0xffu);
    ASSERT_EQ(got, expected) << "y=" << exact(y) << " s=" << exact(s);
  }
}

TEST(CudaRequantize, MatchesHostOnSpecialValues) {
  const float inf = std::numeric_limits<float>::infinity();
  const float specials[] = {0.0f, -0.0f, inf, -inf, std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::min(), std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max(), 127.5f, -128.5f, 128.0f, -129.0f, 255.99f};
  for (float s : {1.0f, 0.5f, 3.0f, 1e-6f, 1e6f})
    for (float y : specials) EXPECT_TRUE(same_as_host(y * (std::isfinite(y) && std::fabs(y) < 1e3f ? s : 1.0f), s));
}

// Subnormal scales: below 2^-128 the reciprocal overflows to infinity and every value must take the division.
TEST(CudaRequantize, MatchesHostOnSubnormalScales) {
  for (float s : {0x1p-127f, 0x1p-128f, 0x1.8p-129f, 0x1p-140f, std::numeric_limits<float>::denorm_min()})
    for (int twice = -300; twice <= 300; ++twice)
      for (float fraction : {0.0f, 0.25f, 0.5f})
        EXPECT_TRUE(same_as_host((static_cast<float>(twice) / 2.0f + fraction) * s, s));
  EXPECT_TRUE(same_as_host(0x1p-142f, 0x1p-140f));  // y / s = 1/4: 0, not the 127 an infinite 1/s gives
}

}  // namespace
}  // namespace qatrt::cuda::conv_int8
