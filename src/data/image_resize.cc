// PIL's resampling (Pillow src/libImaging/Resample.c, BILINEAR filter) for 8-bit RGB.
//   scale = in / out,  filterscale = max(scale, 1),  support = 1 · filterscale
//   for output pixel i: centre c = (i + 0.5) · scale, source range [max(⌊c − support + 0.5⌋, 0),
//   min(⌊c + support + 0.5⌋, in)), weight of source j: tri((j − c + 0.5) / filterscale), tri(t) = max(1 − |t|, 0),
//   normalised to sum 1, then to fixed point: k = round(w · 2^22);  out = clamp((2^21 + Σ p_j · k_j) >> 22, 0, 255)
#include "data/image_resize.h"

#include <algorithm>
#include <cmath>

namespace qatrt {
namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;

struct Taps {
  int width = 0;                  // taps per output pixel (some trailing ones zero)
  std::vector<int> first;         // first source index per output pixel
  std::vector<int> count;         // used taps per output pixel
  std::vector<int32_t> weights;   // out_size × width, fixed point
};

Taps compute_taps(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);
  const double support = 1.0 * filterscale;
  Taps taps;
  taps.width = static_cast<int>(std::ceil(support)) * 2 + 1;
  taps.first.resize(out_size);
  taps.count.resize(out_size);
  taps.weights.assign(static_cast<size_t>(out_size) * taps.width, 0);
  std::vector<double> w(taps.width);
  const double inverse_filterscale = 1.0 / filterscale;  // multiplied, not divided, to round exactly as PIL
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    // Truncation toward zero, as C's (int) cast in PIL; negative values are clamped to 0 right after.
    int lo = std::max(static_cast<int>(center - support + 0.5), 0);
    int hi = std::min(static_cast<int>(center + support + 0.5), in_size);
    const int n = hi - lo;
    double total = 0;
    for (int j = 0; j < n; ++j) {
      const double t = std::abs((j + lo - center + 0.5) * inverse_filterscale);
      w[j] = t < 1.0 ? 1.0 - t : 0.0;
      total += w[j];
    }
    for (int j = 0; j < n; ++j) {
      const double normalised = total != 0.0 ? w[j] / total : w[j];
      const double fixed = normalised * (1 << kPrecisionBits);
      taps.weights[static_cast<size_t>(i) * taps.width + j] = static_cast<int32_t>(fixed < 0 ? fixed - 0.5 : fixed + 0.5);
    }
    taps.first[i] = lo;
    taps.count[i] = n;
  }
  return taps;
}

uint8_t to_u8(int32_t accumulated) {
  return static_cast<uint8_t>(std::clamp(accumulated >> kPrecisionBits, 0, 255));
}

// Resamples rows [row_begin, row_begin + rows) of `in` horizontally to width `out_width`.
Image resample_horizontal(const Image& in, int row_begin, int rows, int out_width) {
  const Taps taps = compute_taps(in.width, out_width);
  Image out{out_width, rows, std::vector<uint8_t>(static_cast<size_t>(out_width) * rows * 3)};
  for (int y = 0; y < rows; ++y) {
    for (int x = 0; x < out_width; ++x) {
      const int32_t* k = &taps.weights[static_cast<size_t>(x) * taps.width];
      const uint8_t* src = in.pixel(taps.first[x], row_begin + y);
      int32_t acc[3] = {1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1), 1 << (kPrecisionBits - 1)};
      for (int j = 0; j < taps.count[x]; ++j)
        for (int c = 0; c < 3; ++c) acc[c] += src[j * 3 + c] * k[j];
      uint8_t* dst = out.pixel(x, y);
      for (int c = 0; c < 3; ++c) dst[c] = to_u8(acc[c]);
    }
  }
  return out;
}

// Resamples `in` vertically; taps index rows of `in` after subtracting `row_offset`.
Image resample_vertical(const Image& in, const Taps& taps, int row_offset, int out_height) {
  Image out{in.width, out_height, std::vector<uint8_t>(static_cast<size_t>(in.width) * out_height * 3)};
  const size_t stride = static_cast<size_t>(in.width) * 3;
  for (int y = 0; y < out_height; ++y) {
    const int32_t* k = &taps.weights[static_cast<size_t>(y) * taps.width];
    const uint8_t* column0 = in.pixel(0, taps.first[y] - row_offset);
    uint8_t* dst = out.pixel(0, y);
    for (size_t i = 0; i < stride; ++i) {
      int32_t acc = 1 << (kPrecisionBits - 1);
      for (int j = 0; j < taps.count[y]; ++j) acc += column0[j * stride + i] * k[j];
      dst[i] = to_u8(acc);
    }
  }
  return out;
}

}  // namespace

Image resize_bilinear_antialiased(const Image& image, int width, int height) {
  const bool horizontal = width != image.width;
  const bool vertical = height != image.height;
  if (!horizontal && !vertical) return image;
  if (!vertical) return resample_horizontal(image, 0, image.height, width);
  const Taps vertical_taps = compute_taps(image.height, height);
  if (!horizontal) return resample_vertical(image, vertical_taps, 0, height);
  // Only the source rows the vertical pass reads go through the horizontal pass (as PIL does).
  const int first_row = vertical_taps.first.front();
  const int last_row = vertical_taps.first.back() + vertical_taps.count.back();
  Image narrowed = resample_horizontal(image, first_row, last_row - first_row, width);
  return resample_vertical(narrowed, vertical_taps, first_row, height);
}

Image resize_shorter_side(const Image& image, int size) {
  const bool wide = image.width >= image.height;
  const int shorter = wide ? image.height : image.width;
  const int longer = wide ? image.width : image.height;
  if (shorter == size) return image;
  const int new_longer = static_cast<int>(static_cast<double>(size) * longer / shorter);
  return wide ? resize_bilinear_antialiased(image, new_longer, size) : resize_bilinear_antialiased(image, size, new_longer);
}

StatusOr<Image> center_crop(const Image& image, int width, int height) {
  if (width > image.width || height > image.height)
    return make_error(StatusCode::kInvalidArgument, "cannot crop ", width, "x", height, " from a ", image.width, "x",
                      image.height, " image");
  const int top = static_cast<int>(std::nearbyint((image.height - height) / 2.0));
  const int left = static_cast<int>(std::nearbyint((image.width - width) / 2.0));
  Image out{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  for (int y = 0; y < height; ++y)
    std::copy_n(image.pixel(left, top + y), static_cast<size_t>(width) * 3, out.pixel(0, y));
  return out;
}

}  // namespace qatrt
