// Writers for the test images (PNG of any colour type / depth through libpng, JPEG through TurboJPEG), a
// synthetic pattern, and a per-test temporary folder.
#pragma once

#include <gtest/gtest.h>
#include <png.h>
#include <turbojpeg.h>
#include <unistd.h>

#include <csetjmp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/image.h"

namespace qatrt::data_test {

// pixel(x, y) = ((37x + 11y) mod 256, (5x + 53y + 7) mod 256, (x² + 3y) mod 256): every channel different,
// no symmetry a transposed or mirrored result could hide behind.
inline Image synthetic_image(int width, int height) {
  Image image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      uint8_t* p = image.pixel(x, y);
      p[0] = static_cast<uint8_t>((x * 37 + y * 11) % 256);
      p[1] = static_cast<uint8_t>((x * 5 + y * 53 + 7) % 256);
      p[2] = static_cast<uint8_t>((x * x + y * 3) % 256);
    }
  return image;
}

inline Image uniform_image(int width, int height, uint8_t r, uint8_t g, uint8_t b) {
  Image image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (size_t i = 0; i < image.rgb.size(); i += 3) {
    image.rgb[i] = r;
    image.rgb[i + 1] = g;
    image.rgb[i + 2] = b;
  }
  return image;
}

// FNV-1a 64 of the pixel bytes (golden values below were computed with PIL).
inline uint64_t fnv1a(const std::vector<uint8_t>& bytes) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (uint8_t b : bytes) h = (h ^ b) * 0x100000001b3ull;
  return h;
}

struct PngSpec {
  int width = 0, height = 0;
  int color_type = PNG_COLOR_TYPE_RGB;
  int bit_depth = 8;
  bool interlaced = false;
  std::vector<png_color> palette;     // for PNG_COLOR_TYPE_PALETTE
  std::vector<uint8_t> rows;          // packed rows as the PNG stores them (16-bit big-endian)
};

// Returns false on a libpng error (tests then fail their ASSERT).
inline bool write_png(const std::string& path, const PngSpec& spec) {
  // Everything with a destructor exists before setjmp, so a libpng longjmp skips no C++ object's lifetime.
  const size_t row_bytes = spec.rows.size() / spec.height;
  std::vector<png_bytep> rows(spec.height);
  for (int y = 0; y < spec.height; ++y) rows[y] = const_cast<png_bytep>(spec.rows.data() + row_bytes * y);
  FILE* file = std::fopen(path.c_str(), "wb");
  if (!file) return false;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(file);
    return false;
  }
  png_init_io(png, file);
  png_set_IHDR(png, info, spec.width, spec.height, spec.bit_depth, spec.color_type,
               spec.interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  if (!spec.palette.empty()) png_set_PLTE(png, info, spec.palette.data(), static_cast<int>(spec.palette.size()));
  png_write_info(png, info);
  png_write_image(png, rows.data());
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return std::fclose(file) == 0;
}

inline bool write_rgb_png(const std::string& path, const Image& image) {
  return write_png(path, {.width = image.width, .height = image.height, .rows = image.rgb});
}

// Quality 100, no chroma subsampling (or grey), so decoded pixels stay within a few levels of the input.
inline bool write_jpeg(const std::string& path, const Image& image, bool grey = false) {
  tjhandle handle = tjInitCompress();
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  int rc = tjCompress2(handle, image.rgb.data(), image.width, 0, image.height, TJPF_RGB, &jpeg, &size,
                       grey ? TJSAMP_GRAY : TJSAMP_444, 100, 0);
  bool ok = rc == 0;
  if (ok) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(jpeg), static_cast<std::streamsize>(size));
    ok = static_cast<bool>(out);
  }
  tjFree(jpeg);
  tjDestroy(handle);
  return ok;
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class TempDirTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("qatrt_data_" + std::to_string(getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::filesystem::path dir_;
};

}  // namespace qatrt::data_test
