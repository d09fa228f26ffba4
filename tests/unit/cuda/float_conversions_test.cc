// The epilogue's conversion-free int ↔ float helpers (src/backends/cuda/conv_int8/float_conversions.h) against
// the conversions they replace, on the host (the code is shared with the device, where the CUDA tests check the
// kernels bit for bit): every int8, int32 accumulators around every power of two and the extremes, every
// accumulator of a short reduction, and rounding at and near every half-integer tie up to 2^22. Needs no GPU, so
// it runs everywhere.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>

#include "backends/cuda/conv_int8/float_conversions.h"

namespace qatrt::cuda::conv_int8 {
namespace {

::testing::AssertionResult same_bits(float got, float expected) {
  if (bits_of(got) == bits_of(expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "got " << std::hexfloat << got << ", expected " << expected;
}

TEST(CudaFloatConversions, EveryInt8LaneAsFloat) {
  for (int q = -128; q <= 127; ++q)
    for (int lane = 0; lane < 4; ++lane) {
      // q in one lane, its neighbours in the others: a lane must not see them.
      uint32_t word = 0;
      for (int other = 0; other < 4; ++other) word |= static_cast<uint32_t>(static_cast<uint8_t>(q - other)) << (8 * other);
      const auto expected = static_cast<float>(static_cast<int8_t>(q - lane));
      EXPECT_TRUE(same_bits(float_of_int8_lane(bias_int8_lanes(word), lane), expected)) << "q=" << q << " lane=" << lane;
    }
}

TEST(CudaFloatConversions, Int32AccumulatorsAsFloatRoundToNearestEven) {
  std::vector<int64_t> values = {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  for (int p = 0; p <= 31; ++p)  // around ±2^p: where the float spacing changes and rounding starts (p >= 24)
    for (int64_t d = -3; d <= 3; ++d) values.insert(values.end(), {(int64_t{1} << p) + d, -(int64_t{1} << p) + d});
  for (int64_t v = -70'000; v <= 70'000; ++v) values.push_back(v);  // across the 2^16 split of the helper
  std::mt19937 rng(21);
  std::uniform_int_distribution<int32_t> any(std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  for (int i = 0; i < 2'000'000; ++i) values.push_back(any(rng));
  for (int64_t v : values) {
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) continue;
    const auto acc = static_cast<int32_t>(v);
    ASSERT_TRUE(same_bits(float_of_int32(acc), static_cast<float>(acc))) << "acc=" << acc;
  }
}

TEST(CudaFloatConversions, SmallReductionAccumulatorsAsFloat) {
  // Every accumulator a reduction of kSmallReductionMax int8 × int8 products can reach, and its extremes.
  const int64_t lowest = -16256 * kSmallReductionMax, highest = 16384 * kSmallReductionMax;
  EXPECT_EQ(highest, int64_t{1} << 22);
  for (int64_t v = lowest; v <= highest; ++v) {
    const auto acc = static_cast<int32_t>(v);
    ASSERT_TRUE(same_bits(float_of_small_int32(acc), static_cast<float>(acc))) << "acc=" << acc;
  }
}

TEST(CudaFloatConversions, MagicRoundingIsNearbyintTiesToEven) {
  // At, and a few ulps either side of, every half-integer and integer in [−260, 260], plus random |t| <= 2^22.
  std::vector<float> values;
  for (int twice = -520; twice <= 520; ++twice) {
    float t = static_cast<float>(twice) / 2.0f;
    for (int step = 0; step < 4; ++step) t = std::nextafter(t, -std::numeric_limits<float>::infinity());
    for (int step = 0; step < 9; ++step, t = std::nextafter(t, std::numeric_limits<float>::infinity())) values.push_back(t);
  }
  std::mt19937 rng(22);
  std::uniform_real_distribution<float> wide(-0x1p22f, 0x1p22f);
  for (int i = 0; i < 1'000'000; ++i) values.push_back(wide(rng));
  values.insert(values.end(), {0x1p22f, -0x1p22f, 0x1p22f - 0.5f, -0x1p22f + 0.5f, 0.0f, -0.0f});
  for (float t : values) {
    const float bits = round_to_integer_bits(t);
    const float expected = std::nearbyint(t);  // the default rounding mode: to nearest, ties to even
    ASSERT_TRUE(same_bits(rounded_value(bits) + 0.0f, expected + 0.0f)) << "t=" << std::hexfloat << t;  // +0: −0 → 0
    if (expected >= -128.0f && expected <= 127.0f) {
      ASSERT_EQ(static_cast<int8_t>(bits_of(bits) & 0xffu), static_cast<int8_t>(expected)) << "t=" << std::hexfloat << t;
    }
  }
}

TEST(CudaFloatConversions, PacksLowBytesInLaneOrder) {
  EXPECT_EQ(pack_low_bytes(0xaaaaaa01u, 0xbbbbbb02u, 0xcccccc03u, 0xdddddd84u), 0x84030201u);
  for (int q = -128; q <= 127; ++q) {
    const float bits = round_to_integer_bits(static_cast<float>(q));
    const uint32_t b = bits_of(bits);
    EXPECT_EQ(pack_low_bytes(b, 0, 0, b), (static_cast<uint32_t>(static_cast<uint8_t>(q)) << 24) | static_cast<uint8_t>(q));
  }
}

}  // namespace
}  // namespace qatrt::cuda::conv_int8
