// Resize and crop geometry, checked against PIL 9.4 (Image.resize(BILINEAR)) on the synthetic pattern, and
// against torchvision's Resize / CenterCrop size and offset rules.
#include <cmath>

#include "data/image_resize.h"
#include "image_test_util.h"

namespace qatrt {
namespace {

struct PilCase {
  int in_w, in_h, out_w, out_h;
  uint64_t fnv;                 // FNV-1a of PIL's output bytes
  uint8_t first[3], last[3];    // pixel (0,0) and (out_w-1, out_h-1)
};

TEST(Resize, MatchesPilBilinearBytes) {
  // Generated with:  synthetic(w, h).resize((ow, oh), Image.BILINEAR)  — see image_test_util.h for the pattern.
  const PilCase cases[] = {
      {37, 23, 16, 10, 0xb9eebb4f7c0fce66ull, {40, 56, 4}, {121, 78, 73}},         // shrink both
      {5, 4, 13, 9, 0xa07ee708c88cf882ull, {0, 7, 0}, {181, 186, 25}},             // enlarge both
      {40, 10, 20, 30, 0x3eccc929707fbd19ull, {26, 11, 1}, {126, 163, 104}},       // shrink x, enlarge y
      {300, 200, 384, 256, 0x89d357e28b5ce291ull, {0, 7, 0}, {196, 17, 142}},      // the Resize(256) case
      {64, 64, 64, 17, 0xda9974acc13b1323ull, {19, 96, 5}, {189, 122, 57}},        // vertical pass only
      {64, 64, 9, 64, 0x1774f370c597858bull, {100, 26, 20}, {133, 58, 145}},       // horizontal pass only
  };
  for (const PilCase& c : cases) {
    Image out = resize_bilinear_antialiased(data_test::synthetic_image(c.in_w, c.in_h), c.out_w, c.out_h);
    const std::string name = std::to_string(c.in_w) + "x" + std::to_string(c.in_h) + " -> " + std::to_string(c.out_w) +
                             "x" + std::to_string(c.out_h);
    ASSERT_EQ(out.width, c.out_w) << name;
    ASSERT_EQ(out.height, c.out_h) << name;
    const uint8_t* first = out.pixel(0, 0);
    const uint8_t* last = out.pixel(c.out_w - 1, c.out_h - 1);
    for (int ch = 0; ch < 3; ++ch) {
      EXPECT_EQ(int{first[ch]}, int{c.first[ch]}) << name << " pixel (0,0) channel " << ch;
      EXPECT_EQ(int{last[ch]}, int{c.last[ch]}) << name << " last pixel channel " << ch;
    }
    EXPECT_EQ(data_test::fnv1a(out.rgb), c.fnv) << name << ": bytes differ from PIL";
  }
}

TEST(Resize, UniformImageStaysUniform) {
  for (auto [w, h] : {std::pair{300, 200}, {17, 300}, {3, 3}}) {
    Image out = resize_bilinear_antialiased(data_test::uniform_image(w, h, 0, 127, 255), 256, 100);
    for (size_t i = 0; i < out.rgb.size(); i += 3)
      ASSERT_TRUE(out.rgb[i] == 0 && out.rgb[i + 1] == 127 && out.rgb[i + 2] == 255) << w << "x" << h << " at " << i / 3;
  }
}

TEST(Resize, ShrinkingIsAntialiased) {
  // A one-pixel checkerboard shrunk 4×: the antialiased filter averages it to mid grey; a two-tap bilinear
  // sampler would return pure black/white pixels (aliasing).
  Image board{64, 64, std::vector<uint8_t>(64 * 64 * 3)};
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x)
      for (int c = 0; c < 3; ++c) board.pixel(x, y)[c] = (x + y) % 2 ? 255 : 0;
  Image out = resize_bilinear_antialiased(board, 16, 16);
  for (int y = 1; y < 15; ++y)  // borders see a truncated filter
    for (int x = 1; x < 15; ++x) ASSERT_NEAR(out.pixel(x, y)[0], 127.5, 2.0) << "(" << x << "," << y << ")";
}

TEST(Resize, ShorterSideFollowsTorchvision) {
  struct Case {
    int w, h, size, out_w, out_h;
  };
  const Case cases[] = {
      {300, 200, 256, 384, 256}, {200, 300, 256, 256, 384}, {227, 227, 256, 256, 256},
      {500, 375, 256, 341, 256},  // int(256 * 500 / 375) = int(341.33)
      {375, 500, 256, 256, 341}, {256, 999, 256, 256, 999},  // already 256: unchanged
      {1, 2, 4, 4, 8},
  };
  for (const Case& c : cases) {
    Image out = resize_shorter_side(data_test::synthetic_image(c.w, c.h), c.size);
    EXPECT_EQ(out.width, c.out_w) << c.w << "x" << c.h << " size " << c.size;
    EXPECT_EQ(out.height, c.out_h) << c.w << "x" << c.h << " size " << c.size;
  }
}

TEST(Crop, CentreOffsetsRoundHalfToEven) {
  // The synthetic pattern encodes its coordinates: red = 37x + 11y mod 256 (unique for x < 7, y < 5 here).
  const Image image = data_test::synthetic_image(7, 5);
  struct Case {
    int w, h, left, top;
  };
  const Case cases[] = {
      {4, 2, 2, 2},  // (7-4)/2 = 1.5 → 2, (5-2)/2 = 1.5 → 2
      {2, 4, 2, 0},  // 2.5 → 2, 0.5 → 0
      {3, 3, 2, 1},
      {7, 5, 0, 0},
      {1, 1, 3, 2},
  };
  for (const Case& c : cases) {
    auto crop = center_crop(image, c.w, c.h);
    ASSERT_TRUE(crop.ok()) << crop.status().to_string();
    ASSERT_EQ(crop->width, c.w);
    ASSERT_EQ(crop->height, c.h);
    for (int y = 0; y < c.h; ++y)
      for (int x = 0; x < c.w; ++x)
        for (int ch = 0; ch < 3; ++ch)
          ASSERT_EQ(crop->pixel(x, y)[ch], image.pixel(x + c.left, y + c.top)[ch])
              << "crop " << c.w << "x" << c.h << " at (" << x << "," << y << ")";
  }
}

TEST(Crop, LargerThanImageIsAnError) {
  auto crop = center_crop(data_test::synthetic_image(10, 10), 11, 5);
  ASSERT_FALSE(crop.ok());
  EXPECT_NE(crop.status().message().find("11x5 from a 10x10"), std::string::npos) << crop.status().to_string();
}

}  // namespace
}  // namespace qatrt
