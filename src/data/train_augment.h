// Training augmentation: torchvision's RandomResizedCrop(size, scale=(0.08, 1), ratio=(3/4, 4/3)) followed
// by RandomHorizontalFlip(0.5), then a preprocessing preset's normalisation. The crop is resized with the
// same PIL antialiased bilinear filter as evaluation (image_resize.h).
//
// Randomness comes only from `seed` (a 64-bit mix of the run's seed, the epoch and the image), drawn from
// std::mt19937_64 with qatrt's own uniform mapping (the standard distributions are implementation-defined),
// so an augmented batch is the same on every platform, thread count and resumed run.
#pragma once

#include <cstdint>
#include <span>

#include "core/status.h"
#include "data/image.h"
#include "data/preprocess.h"

namespace qatrt {

struct AugmentOptions {
  double scale_min = 0.08, scale_max = 1.0;          // crop area / image area
  double ratio_min = 3.0 / 4.0, ratio_max = 4.0 / 3.0;  // crop width / height
  bool flip = true;
};

// The crop window RandomResizedCrop picks (10 tries, then torchvision's centre-crop fallback).
struct CropWindow {
  int left = 0, top = 0, width = 0, height = 0;
  bool flip = false;
};
CropWindow random_crop_window(int image_width, int image_height, const AugmentOptions& options, uint64_t seed);

// Crop, resize to options.crop × options.crop of `preprocess`, flip, normalise into `out`
// (3 · crop · crop floats). preprocess.resize is not used.
Status augment_into(const Image& image, const AugmentOptions& options, const PreprocessOptions& preprocess,
                    uint64_t seed, std::span<float> out);

// A seed for stream `b` derived from seed `a` (splitmix64 of both): independent streams per epoch and image.
uint64_t mix_seed(uint64_t a, uint64_t b);

}  // namespace qatrt
