// Decoding: PNG of every colour type and depth to RGB8 exactly, JPEG within codec loss, and every error names
// the file and the reason.
#include "data/image_decode.h"
#include "image_test_util.h"

namespace qatrt {
namespace {

using data_test::TempDirTest;

class Decode : public TempDirTest {
 protected:
  // Writes the spec, decodes it and compares with the expected RGB pixels row by row.
  void expect_png_decodes_to(const data_test::PngSpec& spec, const std::vector<uint8_t>& expected_rgb) {
    const std::string file = path("image.png");
    ASSERT_TRUE(data_test::write_png(file, spec));
    auto image = decode_image_file(file);
    ASSERT_TRUE(image.ok()) << image.status().to_string();
    ASSERT_EQ(image->width, spec.width);
    ASSERT_EQ(image->height, spec.height);
    for (size_t i = 0; i < expected_rgb.size(); ++i)
      ASSERT_EQ(int{image->rgb[i]}, int{expected_rgb[i]})
          << "colour type " << spec.color_type << ", depth " << spec.bit_depth << ": pixel " << i / 3 << " channel "
          << i % 3;
  }
};

TEST_F(Decode, PngRgb8IsExact) {
  const Image image = data_test::synthetic_image(7, 5);
  expect_png_decodes_to({.width = 7, .height = 5, .rows = image.rgb}, image.rgb);
}

TEST_F(Decode, PngInterlacedIsExact) {
  const Image image = data_test::synthetic_image(9, 11);
  expect_png_decodes_to({.width = 9, .height = 11, .interlaced = true, .rows = image.rgb}, image.rgb);
}

TEST_F(Decode, PngGreyIsReplicatedToRgb) {
  expect_png_decodes_to({.width = 3, .height = 1, .color_type = PNG_COLOR_TYPE_GRAY, .rows = {0, 128, 255}},
                        {0, 0, 0, 128, 128, 128, 255, 255, 255});
}

TEST_F(Decode, PngOneBitGreyExpandsToFullRange) {
  // 8 pixels in one byte, most significant bit first: 1010 0001.
  expect_png_decodes_to({.width = 8, .height = 1, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 1, .rows = {0xA1}},
                        {255, 255, 255, 0, 0, 0, 255, 255, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255});
}

TEST_F(Decode, PngGreyAlphaDropsAlpha) {
  expect_png_decodes_to(
      {.width = 2, .height = 1, .color_type = PNG_COLOR_TYPE_GRAY_ALPHA, .rows = {10, 0, 200, 128}},
      {10, 10, 10, 200, 200, 200});
}

TEST_F(Decode, PngRgbaDropsAlphaWithoutCompositing) {
  expect_png_decodes_to({.width = 2, .height = 1, .color_type = PNG_COLOR_TYPE_RGBA, .rows = {1, 2, 3, 0, 4, 5, 6, 77}},
                        {1, 2, 3, 4, 5, 6});
}

TEST_F(Decode, Png16BitKeepsTheHighByte) {
  // Big-endian samples 0xABCD 0x00FF 0xFF00 → 0xAB 0x00 0xFF.
  expect_png_decodes_to({.width = 1, .height = 1, .bit_depth = 16, .rows = {0xAB, 0xCD, 0x00, 0xFF, 0xFF, 0x00}},
                        {0xAB, 0x00, 0xFF});
}

TEST_F(Decode, PngGrey16BitKeepsTheHighByte) {
  expect_png_decodes_to({.width = 2, .height = 1, .color_type = PNG_COLOR_TYPE_GRAY, .bit_depth = 16,
                         .rows = {0x12, 0x34, 0xFE, 0xDC}},
                        {0x12, 0x12, 0x12, 0xFE, 0xFE, 0xFE});
}

TEST_F(Decode, PngPaletteFourBitLooksUpColours) {
  // Two 4-bit indices per byte: pixels 2, 0, 1.
  expect_png_decodes_to({.width = 3, .height = 1, .color_type = PNG_COLOR_TYPE_PALETTE, .bit_depth = 4,
                         .palette = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}}, .rows = {0x20, 0x10}},
                        {70, 80, 90, 10, 20, 30, 40, 50, 60});
}

TEST_F(Decode, JpegColourIsCloseToTheSource) {
  const Image source = data_test::uniform_image(32, 24, 200, 100, 30);
  ASSERT_TRUE(data_test::write_jpeg(path("a.jpg"), source));
  auto image = decode_image_file(path("a.jpg"));
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  ASSERT_EQ(image->width, 32);
  ASSERT_EQ(image->height, 24);
  for (size_t i = 0; i < source.rgb.size(); ++i)
    ASSERT_NEAR(image->rgb[i], source.rgb[i], 3) << "pixel " << i / 3 << " channel " << i % 3;
}

TEST_F(Decode, JpegGreyBecomesRgb) {
  ASSERT_TRUE(data_test::write_jpeg(path("g.jpg"), data_test::uniform_image(16, 16, 90, 90, 90), /*grey=*/true));
  auto image = decode_image_file(path("g.jpg"));
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  for (size_t i = 0; i < image->rgb.size(); i += 3) {
    ASSERT_NEAR(image->rgb[i], 90, 2);
    ASSERT_EQ(image->rgb[i], image->rgb[i + 1]);
    ASSERT_EQ(image->rgb[i], image->rgb[i + 2]);
  }
}

TEST_F(Decode, FormatIsFoundFromContentNotName) {
  const Image source = data_test::synthetic_image(4, 4);
  ASSERT_TRUE(data_test::write_rgb_png(path("actually_png.jpg"), source));
  auto image = decode_image_file(path("actually_png.jpg"));
  ASSERT_TRUE(image.ok()) << image.status().to_string();
  EXPECT_EQ(image->rgb, source.rgb);
}

struct ErrorCase {
  const char* what;
  std::string file_name;
  std::string contents;  // written unless empty-and-missing
  bool create = true;
  StatusCode code;
  const char* reason;
};

TEST_F(Decode, ErrorsNameThePathAndTheReason) {
  using namespace std::string_literals;
  ASSERT_TRUE(data_test::write_rgb_png(path("good.png"), data_test::synthetic_image(16, 16)));
  ASSERT_TRUE(data_test::write_jpeg(path("good.jpg"), data_test::synthetic_image(64, 64)));
  const std::string png = data_test::read_bytes(path("good.png"));
  const std::string jpeg = data_test::read_bytes(path("good.jpg"));
  std::string bad_crc = png;
  bad_crc[png.size() / 2] ^= 0x01;  // inside IDAT: its CRC no longer matches
  const ErrorCase cases[] = {
      {"missing", "missing.jpg", "", false, StatusCode::kNotFound, "not found"},
      {"text named .jpg", "notes.jpg", "just some text\n", true, StatusCode::kInvalidArgument, "is not an image"},
      {"empty", "empty.png", "", true, StatusCode::kInvalidArgument, "is empty"},
      {"gif", "anim.png", "GIF89a\x01\x00\x01\x00"s, true, StatusCode::kUnsupported, "GIF, an unsupported format"},
      {"bmp", "pic.bmp", "BM\x36\x00\x00\x00"s, true, StatusCode::kUnsupported, "BMP"},
      {"webp", "pic.webp", "RIFF\x10\x00\x00\x00WEBPVP8 "s, true, StatusCode::kUnsupported, "WebP"},
      {"png signature only", "sig.png", png.substr(0, 8), true, StatusCode::kCorrupt, "corrupt PNG"},
      {"png truncated", "cut.png", png.substr(0, png.size() / 2), true, StatusCode::kCorrupt, "corrupt PNG"},
      {"png bad crc", "crc.png", bad_crc, true, StatusCode::kCorrupt, "corrupt PNG"},
      {"jpeg header only", "head.jpg", jpeg.substr(0, 4), true, StatusCode::kCorrupt, "corrupt JPEG"},
      {"jpeg truncated", "cut.jpg", jpeg.substr(0, jpeg.size() * 2 / 3), true, StatusCode::kCorrupt, "corrupt JPEG"},
  };
  for (const ErrorCase& c : cases) {
    const std::string file = path(c.file_name);
    if (c.create) data_test::write_bytes(file, c.contents);
    auto image = decode_image_file(file);
    ASSERT_FALSE(image.ok()) << c.what << ": decoded";
    EXPECT_EQ(image.status().code(), c.code) << c.what << ": " << image.status().to_string();
    EXPECT_NE(image.status().message().find("'" + file + "'"), std::string::npos) << c.what << ": " << image.status().to_string();
    EXPECT_NE(image.status().message().find(c.reason), std::string::npos) << c.what << ": " << image.status().to_string();
  }
}

TEST_F(Decode, DirectoryIsRefused) {
  auto image = decode_image_file(dir_.string());
  ASSERT_FALSE(image.ok());
  EXPECT_NE(image.status().message().find("not a regular file"), std::string::npos) << image.status().to_string();
}

}  // namespace
}  // namespace qatrt
