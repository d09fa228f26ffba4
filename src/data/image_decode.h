// Image decoding: JPEG (libjpeg-turbo's TurboJPEG API) and PNG (libpng) to RGB8. The format is found from the
// file's first bytes, not its name, so a text file named photo.jpg is "not an image", and a GIF named .png
// is "unsupported format GIF". Every error names the path.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/status.h"
#include "data/image.h"

namespace qatrt {

StatusOr<Image> decode_image_file(const std::string& path);
// `origin` (a path or a description) names the bytes in errors.
StatusOr<Image> decode_image_bytes(std::span<const uint8_t> bytes, const std::string& origin);

// The decoders behind decode_image_bytes, for bytes already known to be JPEG / PNG.
StatusOr<Image> decode_jpeg(std::span<const uint8_t> bytes, const std::string& origin);
StatusOr<Image> decode_png(std::span<const uint8_t> bytes, const std::string& origin);

}  // namespace qatrt
