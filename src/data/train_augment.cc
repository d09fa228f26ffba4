#include "data/train_augment.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "data/image_resize.h"

namespace qatrt {
namespace {

// Uniform in [0, 1) from the top 53 bits.
double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
double uniform(std::mt19937_64& rng, double lo, double hi) { return lo + (hi - lo) * uniform01(rng); }
// Integer in [0, n] (n ≥ 0); the modulo bias of a 64-bit draw is far below anything measurable here.
int uniform_int(std::mt19937_64& rng, int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n + 1)); }

Image crop_image(const Image& image, const CropWindow& w) {
  Image out{w.width, w.height, std::vector<uint8_t>(static_cast<size_t>(w.width) * w.height * 3)};
  for (int y = 0; y < w.height; ++y)
    std::copy_n(image.pixel(w.left, w.top + y), static_cast<size_t>(w.width) * 3, out.pixel(0, y));
  return out;
}

void flip_horizontally(Image& image) {
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width / 2; ++x) std::swap_ranges(image.pixel(x, y), image.pixel(x, y) + 3, image.pixel(image.width - 1 - x, y));
}

}  // namespace

uint64_t mix_seed(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

CropWindow random_crop_window(int width, int height, const AugmentOptions& o, uint64_t seed) {
  std::mt19937_64 rng(seed);
  CropWindow window;
  const double area = static_cast<double>(width) * height;
  const double log_ratio_min = std::log(o.ratio_min), log_ratio_max = std::log(o.ratio_max);
  bool found = false;
  for (int attempt = 0; attempt < 10 && !found; ++attempt) {
    const double target_area = area * uniform(rng, o.scale_min, o.scale_max);
    const double aspect = std::exp(uniform(rng, log_ratio_min, log_ratio_max));
    const int w = static_cast<int>(std::lround(std::sqrt(target_area * aspect)));
    const int h = static_cast<int>(std::lround(std::sqrt(target_area / aspect)));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      window = {.left = uniform_int(rng, width - w), .top = uniform_int(rng, height - h), .width = w, .height = h};
      found = true;
    }
  }
  if (!found) {  // torchvision's fallback: the whole image cropped to the nearest allowed aspect ratio, centred
    const double in_ratio = static_cast<double>(width) / height;
    int w = width, h = height;
    if (in_ratio < o.ratio_min) h = static_cast<int>(std::lround(w / o.ratio_min));
    else if (in_ratio > o.ratio_max) w = static_cast<int>(std::lround(h * o.ratio_max));
    window = {.left = (width - w) / 2, .top = (height - h) / 2, .width = std::max(w, 1), .height = std::max(h, 1)};
  }
  window.flip = o.flip && uniform01(rng) < 0.5;
  return window;
}

Status augment_into(const Image& image, const AugmentOptions& options, const PreprocessOptions& preprocess,
                    uint64_t seed, std::span<float> out) {
  if (image.width < 1 || image.height < 1) return make_error(StatusCode::kInvalidArgument, "augment: empty image");
  const CropWindow window = random_crop_window(image.width, image.height, options, seed);
  Image resized = resize_bilinear_antialiased(crop_image(image, window), preprocess.crop, preprocess.crop);
  if (window.flip) flip_horizontally(resized);
  return normalize_into(resized, preprocess, out);
}

}  // namespace qatrt
