#include "data/image_decode.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace qatrt {
namespace {

bool starts_with(std::span<const uint8_t> bytes, std::string_view prefix, size_t at = 0) {
  return bytes.size() >= at + prefix.size() && std::memcmp(bytes.data() + at, prefix.data(), prefix.size()) == 0;
}

// Formats we recognise but do not decode: named in the error so the remedy is obvious.
const char* other_image_format(std::span<const uint8_t> bytes) {
  if (starts_with(bytes, "GIF87a") || starts_with(bytes, "GIF89a")) return "GIF";
  if (starts_with(bytes, "BM")) return "BMP";
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) return "WebP";
  if (starts_with(bytes, std::string_view("II*\0", 4)) || starts_with(bytes, std::string_view("MM\0*", 4))) return "TIFF";
  if (starts_with(bytes, "ftypavif", 4) || starts_with(bytes, "ftypheic", 4)) return "AVIF/HEIC";
  return nullptr;
}

}  // namespace

StatusOr<Image> decode_image_bytes(std::span<const uint8_t> bytes, const std::string& origin) {
  if (bytes.empty()) return make_error(StatusCode::kInvalidArgument, "image '", origin, "' is empty");
  if (starts_with(bytes, "\xFF\xD8\xFF")) return decode_jpeg(bytes, origin);
  if (starts_with(bytes, "\x89PNG\r\n\x1A\n")) return decode_png(bytes, origin);
  if (const char* format = other_image_format(bytes))
    return make_error(StatusCode::kUnsupported, "image '", origin, "' is ", format,
                      ", an unsupported format; convert it to JPEG or PNG");
  return make_error(StatusCode::kInvalidArgument, "'", origin, "' is not an image: it starts with neither the JPEG ",
                    "nor the PNG signature");
}

StatusOr<Image> decode_image_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return make_error(StatusCode::kNotFound, "image '", path, "' not found");
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(StatusCode::kInvalidArgument, "image '", path, "' is not a regular file");
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error(StatusCode::kIoError, "cannot open image '", path, "': ", std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) return make_error(StatusCode::kIoError, "cannot read image '", path, "'");
  return decode_image_bytes(bytes, path);
}

}  // namespace qatrt
