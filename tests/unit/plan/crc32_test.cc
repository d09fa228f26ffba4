// The plan's CRC-32 must be the standard one (zlib / PNG), so plans can be checked with any tool.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "plan/crc32.h"

namespace qatrt {
namespace {

std::span<const uint8_t> bytes_of(const std::string& s) { return {reinterpret_cast<const uint8_t*>(s.data()), s.size()}; }

TEST(Crc32, StandardCheckValues) {
  EXPECT_EQ(crc32(bytes_of("")), 0x00000000u);
  EXPECT_EQ(crc32(bytes_of("123456789")), 0xCBF43926u);  // the CRC-32/ISO-HDLC check value
  // python3 -c "import zlib; print(hex(zlib.crc32(b'The quick brown fox jumps over the lazy dog')))"
  EXPECT_EQ(crc32(bytes_of("The quick brown fox jumps over the lazy dog")), 0x414FA339u);
}

// Slicing-by-8 against the one-byte-at-a-time definition, over every length and start alignment up to 40,
// and split at every point (crc32_update must continue a running CRC).
TEST(Crc32, EightByteLoopMatchesBytewiseDefinition) {
  auto bytewise = [](std::span<const uint8_t> data) {
    uint32_t c = 0xFFFFFFFFu;
    for (uint8_t b : data) {
      c ^= b;
      for (int bit = 0; bit < 8; ++bit) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return ~c;
  };
  std::mt19937 rng(7);
  std::vector<uint8_t> buffer(64);
  for (uint8_t& b : buffer) b = static_cast<uint8_t>(rng());
  for (size_t start = 0; start < 8; ++start)
    for (size_t length = 0; start + length <= 48; ++length) {
      auto data = std::span<const uint8_t>(buffer).subspan(start, length);
      const uint32_t expected = bytewise(data);
      ASSERT_EQ(crc32(data), expected) << "start " << start << " length " << length;
      for (size_t split = 0; split <= length; ++split)
        ASSERT_EQ(crc32_update(crc32(data.first(split)), data.subspan(split)), expected)
            << "start " << start << " length " << length << " split " << split;
    }
}

}  // namespace
}  // namespace qatrt
