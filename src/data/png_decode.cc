// PNG → RGB8 through libpng. Every colour type and depth is normalised the way PIL's convert("RGB") does:
// palette → RGB, grey → RGB (replicated), 1/2/4-bit → 8-bit, 16-bit → the high byte, alpha (and tRNS)
// dropped, not composited. libpng reports errors by longjmp, so all libpng calls live in read_png(), which
// holds no C++ object with a destructor.
#include <csetjmp>
#include <cstdlib>
#include <cstring>
#include <png.h>

#include "data/image_decode.h"

namespace qatrt {
namespace {

struct PngJob {
  const uint8_t* data = nullptr;
  size_t size = 0;
  size_t offset = 0;
  char error[256] = {};
  int width = 0;
  int height = 0;
  uint8_t* pixels = nullptr;  // malloc'd width*height*3, owned by the caller once read_png returns
  png_bytep* rows = nullptr;  // malloc'd, freed by read_png
};

void on_error(png_structp png, png_const_charp message) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->error, sizeof job->error, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // benign (e.g. an unknown ancillary chunk)

void read_from_memory(png_structp png, png_bytep out, png_size_t n) {
  auto* job = static_cast<PngJob*>(png_get_io_ptr(png));
  if (n > job->size - job->offset) png_error(png, "file ends early (truncated)");
  std::memcpy(out, job->data + job->offset, n);
  job->offset += n;
}

// Returns true with job->pixels filled, or false with job->error set.
bool read_png(PngJob* job) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, job, on_error, on_warning);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!info) {
    png_destroy_read_struct(&png, nullptr, nullptr);
    std::snprintf(job->error, sizeof job->error, "cannot create a libpng reader");
    return false;
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    std::free(job->rows);
    std::free(job->pixels);
    job->rows = nullptr;
    job->pixels = nullptr;
    return false;
  }
  png_set_read_fn(png, job, read_from_memory);
  png_set_user_limits(png, kMaxImageSide, kMaxImageSide);
  png_read_info(png, info);
  png_set_expand(png);        // palette → RGB, grey < 8 bits → 8 bits, tRNS → alpha (dropped below)
  png_set_strip_16(png);      // 16 → 8 bits: high byte, as PIL
  png_set_strip_alpha(png);
  png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  job->width = static_cast<int>(png_get_image_width(png, info));
  job->height = static_cast<int>(png_get_image_height(png, info));
  const size_t row_bytes = png_get_rowbytes(png, info);
  if (row_bytes != static_cast<size_t>(job->width) * 3) png_error(png, "unexpected row layout after conversion");
  job->pixels = static_cast<uint8_t*>(std::malloc(row_bytes * job->height));
  job->rows = static_cast<png_bytep*>(std::malloc(sizeof(png_bytep) * job->height));
  if (!job->pixels || !job->rows) png_error(png, "out of memory");
  for (int y = 0; y < job->height; ++y) job->rows[y] = job->pixels + row_bytes * y;
  png_read_image(png, job->rows);
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  std::free(job->rows);
  job->rows = nullptr;
  return true;
}

}  // namespace

StatusOr<Image> decode_png(std::span<const uint8_t> bytes, const std::string& origin) {
  PngJob job;
  job.data = bytes.data();
  job.size = bytes.size();
  if (!read_png(&job)) return make_error(StatusCode::kCorrupt, "corrupt PNG '", origin, "': ", job.error);
  Image image{job.width, job.height, {}};
  image.rgb.assign(job.pixels, job.pixels + static_cast<size_t>(job.width) * job.height * 3);
  std::free(job.pixels);
  return image;
}

}  // namespace qatrt
