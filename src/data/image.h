// A decoded image: 8-bit RGB, interleaved, rows top to bottom (what every decoder produces and the resize and
// normalization steps consume).
#pragma once

#include <cstdint>
#include <vector>

namespace qatrt {

struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3 bytes

  const uint8_t* pixel(int x, int y) const { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
  uint8_t* pixel(int x, int y) { return rgb.data() + (static_cast<size_t>(y) * width + x) * 3; }
};

// Decoders refuse images with a side longer than this (a corrupt or hostile header must not drive a
// multi-gigabyte allocation).
inline constexpr int kMaxImageSide = 16384;

}  // namespace qatrt
