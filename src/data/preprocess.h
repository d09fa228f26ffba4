// Image → network input: decode, resize the shorter side (PIL antialiased bilinear, see image_resize.h),
// centre crop, then per-channel normalisation by preset:
//   caffe  BGR,  v = p − mean,  mean (B,G,R) = 103.939, 116.779, 123.68        (Keras "caffe": ResNet50, VGG)
//   torch  RGB,  v = (p / 255 − mean) / std,  mean = .485 .456 .406, std = .229 .224 .225   (torchvision)
//   tf     RGB,  v = p − mean,  mean (R,G,B) = 123.68, 116.78, 103.94           (TF-slim VGG/ResNet v1)
// p is the 8-bit pixel; arithmetic in float32 in the order written, as numpy / torch do it.
// Output: float32 [1,3,crop,crop] (NCHW), or [1,crop,crop,3] with channels_last for NHWC models.
#pragma once

#include <span>
#include <string>

#include "core/status.h"
#include "core/tensor.h"
#include "data/image.h"

namespace qatrt {

enum class PreprocessPreset { kCaffe, kTorch, kTf };

StatusOr<PreprocessPreset> parse_preprocess_preset(const std::string& name);  // "caffe", "torch", "tf"
const char* preprocess_preset_name(PreprocessPreset preset);

struct PreprocessOptions {
  PreprocessPreset preset = PreprocessPreset::kCaffe;
  int resize = 256;  // shorter side after resizing
  int crop = 224;    // square centre crop, ≤ resize
  bool channels_last = false;
};

// The per-channel constants of a preset, in the order of the output channels.
struct Normalization {
  bool bgr = false;          // output channel 0 is blue
  bool divide_by_255 = false;
  float mean[3] = {0, 0, 0};
  float std[3] = {1, 1, 1};
};
Normalization preset_normalization(PreprocessPreset preset);

Status check_preprocess_options(const PreprocessOptions& options);

// Resize + crop + normalise one decoded image into `out` (3 · crop · crop floats, layout per options).
Status preprocess_into(const Image& image, const PreprocessOptions& options, std::span<float> out);

// The normalisation step alone: `image` is already crop × crop (e.g. a training augmentation's output);
// writes 3 · crop · crop floats in the layout of `options`.
Status normalize_into(const Image& image, const PreprocessOptions& options, std::span<float> out);

// One file → [1,3,crop,crop] (or [1,crop,crop,3]). Errors name the path.
StatusOr<Tensor> preprocess_image_file(const std::string& path, const PreprocessOptions& options);

// Several files → [N,3,crop,crop], decoded and preprocessed on `threads` threads (0 = hardware threads).
// On failure the error of the first failing file (in list order) is returned, naming its path.
StatusOr<Tensor> load_image_batch(std::span<const std::string> paths, const PreprocessOptions& options, int threads);

}  // namespace qatrt
