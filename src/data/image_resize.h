// Geometry: resize with PIL's antialiased bilinear filter, and centre crop, with torchvision's size and
// offset rules (transforms.Resize(256) + CenterCrop(224) on a PIL image), so preprocessed pixels match the
// reference pipelines that published accuracies are measured with.
//
// Antialiased: when shrinking by a factor f > 1 the triangle filter is widened to ±f source pixels (PIL's
// Image.resize(BILINEAR), torchvision antialias=True), rather than sampling the two nearest pixels
// (OpenCV INTER_LINEAR, TF's resize without antialias), which aliases on large reductions. When enlarging,
// the two are the same: plain bilinear with pixel centres at +0.5. Arithmetic follows PIL exactly: weights
// in 22-bit fixed point, horizontal pass first, rounded to 8 bits between passes.
#pragma once

#include "core/status.h"
#include "data/image.h"

namespace qatrt {

// width, height ≥ 1.
Image resize_bilinear_antialiased(const Image& image, int width, int height);

// torchvision Resize(size) with an int: the shorter side becomes `size`, the longer side
// int(size * long / short) (truncated); an image whose shorter side is already `size` is returned unchanged.
Image resize_shorter_side(const Image& image, int size);

// torchvision CenterCrop: top = round((H − h) / 2), left = round((W − w) / 2), halves rounded to even as
// Python's round(). Error if the crop is larger than the image.
StatusOr<Image> center_crop(const Image& image, int width, int height);

}  // namespace qatrt
