#include "data/preprocess.h"

#include <algorithm>

#include "data/image_decode.h"
#include "data/image_resize.h"

namespace qatrt {

StatusOr<PreprocessPreset> parse_preprocess_preset(const std::string& name) {
  if (name == "caffe") return PreprocessPreset::kCaffe;
  if (name == "torch") return PreprocessPreset::kTorch;
  if (name == "tf") return PreprocessPreset::kTf;
  return make_error(StatusCode::kInvalidArgument, "unknown preprocessing preset '", name, "'; use caffe, torch or tf");
}

const char* preprocess_preset_name(PreprocessPreset preset) {
  switch (preset) {
    case PreprocessPreset::kCaffe: return "caffe";
    case PreprocessPreset::kTorch: return "torch";
    case PreprocessPreset::kTf: return "tf";
  }
  return "?";
}

Normalization preset_normalization(PreprocessPreset preset) {
  switch (preset) {
    case PreprocessPreset::kCaffe: return {.bgr = true, .mean = {103.939f, 116.779f, 123.68f}};
    case PreprocessPreset::kTorch:
      return {.divide_by_255 = true, .mean = {0.485f, 0.456f, 0.406f}, .std = {0.229f, 0.224f, 0.225f}};
    case PreprocessPreset::kTf: return {.mean = {123.68f, 116.78f, 103.94f}};
  }
  return {};
}

Status check_preprocess_options(const PreprocessOptions& options) {
  if (options.crop < 1 || options.crop > options.resize || options.resize > kMaxImageSide)
    return make_error(StatusCode::kInvalidArgument, "preprocessing sizes: crop ", options.crop, " and resize ",
                      options.resize, " must satisfy 1 <= crop <= resize <= ", kMaxImageSide);
  return Status::ok_status();
}

Status preprocess_into(const Image& image, const PreprocessOptions& options, std::span<float> out) {
  QATRT_RETURN_IF_ERROR(check_preprocess_options(options));
  // The longer side grows with the aspect ratio: refuse strips that would resize to gigabytes.
  const double longer = std::max(image.width, image.height), shorter = std::min(image.width, image.height);
  if (shorter < 1 || longer / shorter * options.resize > 4.0 * kMaxImageSide)
    return make_error(StatusCode::kUnsupported, "a ", image.width, "x", image.height,
                      " image cannot be resized to a shorter side of ", options.resize, " (aspect ratio too extreme)");
  const int size = options.crop;
  QATRT_ASSIGN_OR_RETURN(Image cropped, center_crop(resize_shorter_side(image, options.resize), size, size));
  return normalize_into(cropped, options, out);
}

Status normalize_into(const Image& cropped, const PreprocessOptions& options, std::span<float> out) {
  const int size = options.crop;
  const size_t plane = static_cast<size_t>(size) * size;
  if (cropped.width != size || cropped.height != size)
    return make_error(StatusCode::kInternal, "normalize: a ", cropped.width, "x", cropped.height, " image, expected ", size, "x", size);
  if (out.size() != plane * 3)
    return make_error(StatusCode::kInternal, "preprocess output holds ", out.size(), " floats, needs ", plane * 3);
  const Normalization n = preset_normalization(options.preset);
  for (size_t i = 0; i < plane; ++i) {
    const uint8_t* rgb = cropped.rgb.data() + i * 3;
    for (int c = 0; c < 3; ++c) {
      float v = rgb[n.bgr ? 2 - c : c];
      if (n.divide_by_255) v = v / 255.0f;
      v = (v - n.mean[c]) / n.std[c];
      out[options.channels_last ? i * 3 + c : c * plane + i] = v;
    }
  }
  return Status::ok_status();
}

StatusOr<Tensor> preprocess_image_file(const std::string& path, const PreprocessOptions& options) {
  return load_image_batch(std::span(&path, 1), options, 1);
}

}  // namespace qatrt
