// The host's float16 conversions (core/float16.h) — what `qatrt build --fp16` rounds weights with — against
// IEEE 754 binary16: every one of the 65536 bit patterns round-trips, the midpoint between every two neighbouring
// finite halves rounds to the even one, overflow and underflow land where round-to-nearest-even puts them.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/float16.h"

namespace qatrt {
namespace {

bool is_nan_bits(uint16_t h) { return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0; }

TEST(Float16, EveryBitPatternRoundTrips) {
  for (uint32_t bits = 0; bits < 0x10000u; ++bits) {
    const auto h = static_cast<uint16_t>(bits);
    const float f = half_bits_to_float(h);
    if (is_nan_bits(h)) {
      EXPECT_TRUE(std::isnan(f)) << std::hex << bits;
      EXPECT_TRUE(is_nan_bits(float_to_half_bits(f))) << std::hex << bits;
      continue;
    }
    ASSERT_EQ(float_to_half_bits(f), h) << "half 0x" << std::hex << bits << " = " << f;
  }
}

TEST(Float16, KnownValues) {
  EXPECT_EQ(half_bits_to_float(0x3c00), 1.0f);
  EXPECT_EQ(half_bits_to_float(0xc000), -2.0f);
  EXPECT_EQ(half_bits_to_float(0x7bff), 65504.0f);
  EXPECT_EQ(half_bits_to_float(0x0001), 0x1p-24f);   // the smallest subnormal
  EXPECT_EQ(half_bits_to_float(0x0400), 0x1p-14f);   // the smallest normal
  EXPECT_EQ(float_to_half_bits(0.1f), 0x2e66);       // 0.0999755859375, the nearest half
  EXPECT_EQ(float_to_half_bits(-0.0f), 0x8000);
}

// The midpoint of two neighbouring finite halves (exact in float) rounds to the one with an even mantissa; a
// float just above or below it rounds to the nearer one.
TEST(Float16, TiesRoundToEven) {
  int ties = 0;
  for (uint32_t bits = 0; bits < 0x7bffu; ++bits) {
    const auto lo = static_cast<uint16_t>(bits), hi = static_cast<uint16_t>(bits + 1);
    const float a = half_bits_to_float(lo), b = half_bits_to_float(hi);
    const float mid = a + (b - a) / 2;  // exact: a and b have at most 11 significant bits
    const uint16_t even = (lo & 1u) == 0 ? lo : hi;
    ASSERT_EQ(float_to_half_bits(mid), even) << "tie between 0x" << std::hex << bits << " and 0x" << bits + 1;
    ASSERT_EQ(float_to_half_bits(std::nextafter(mid, 0.0f)), lo) << std::hex << bits;
    ASSERT_EQ(float_to_half_bits(std::nextafter(mid, 1e9f)), hi) << std::hex << bits;
    ASSERT_EQ(float_to_half_bits(-mid), static_cast<uint16_t>(even | 0x8000u)) << std::hex << bits;
    ++ties;
  }
  EXPECT_EQ(ties, 0x7bff);
}

TEST(Float16, OverflowUnderflowAndSpecials) {
  EXPECT_EQ(float_to_half_bits(65519.99f), 0x7bff);  // below 65504 + half an ulp: the largest finite half
  EXPECT_EQ(float_to_half_bits(65520.0f), 0x7c00);   // the tie with "65536" goes to the even mantissa: inf
  EXPECT_EQ(float_to_half_bits(1e10f), 0x7c00);
  EXPECT_EQ(float_to_half_bits(-1e10f), 0xfc00);
  EXPECT_EQ(float_to_half_bits(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(float_to_half_bits(0x1p-25f), 0x0000);   // half the smallest subnormal: the tie goes to 0 (even)
  EXPECT_EQ(float_to_half_bits(0x1.8p-25f), 0x0001);
  EXPECT_EQ(float_to_half_bits(0x1.8p-24f), 0x0002);  // 1.5 units: the tie goes to 2 (even)
  EXPECT_EQ(float_to_half_bits(1e-30f), 0x0000);
  EXPECT_TRUE(is_nan_bits(float_to_half_bits(std::numeric_limits<float>::quiet_NaN())));
}

}  // namespace
}  // namespace qatrt
