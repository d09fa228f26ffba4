// JPEG → RGB8 through TurboJPEG with libjpeg's defaults (accurate integer IDCT, fancy upsampling), the same
// settings PIL uses, so decoded pixels match PIL on the same libjpeg-turbo.
#include <memory>
#include <turbojpeg.h>

#include "data/image_decode.h"

namespace qatrt {
namespace {

struct TjHandleCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjHandleCloser>;

}  // namespace

StatusOr<Image> decode_jpeg(std::span<const uint8_t> bytes, const std::string& origin) {
  TjHandle handle(tjInitDecompress());
  if (!handle) return make_error(StatusCode::kInternal, "cannot create a TurboJPEG decoder: ", tjGetErrorStr2(nullptr));
  auto* data = const_cast<unsigned char*>(bytes.data());  // TurboJPEG 2.1 takes a non-const pointer, never writes
  const auto size = static_cast<unsigned long>(bytes.size());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), data, size, &width, &height, &subsampling, &colorspace) != 0)
    return make_error(StatusCode::kCorrupt, "corrupt JPEG '", origin, "': ", tjGetErrorStr2(handle.get()));
  if (width <= 0 || height <= 0)
    return make_error(StatusCode::kCorrupt, "corrupt JPEG '", origin, "': the header gives no image size (", width, "x",
                      height, ")");
  if (width > kMaxImageSide || height > kMaxImageSide)
    return make_error(StatusCode::kUnsupported, "JPEG '", origin, "' is ", width, "x", height,
                      ", outside the supported 1..", kMaxImageSide, " per side");
  if (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK)
    return make_error(StatusCode::kUnsupported, "JPEG '", origin, "' is CMYK, which is not supported; convert it to RGB");

  Image image{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 3)};
  if (tjDecompress2(handle.get(), data, size, image.rgb.data(), width, 0, height, TJPF_RGB, 0) != 0) {
    // libjpeg keeps decoding through recoverable damage (a warning); a file that ends early is the one
    // warning we refuse, as PIL does, since the missing rows would be filled with grey.
    const std::string message = tjGetErrorStr2(handle.get());
    const bool fatal = tjGetErrorCode(handle.get()) == TJERR_FATAL;
    if (fatal || message.find("Premature end") != std::string::npos)
      return make_error(StatusCode::kCorrupt, "corrupt JPEG '", origin, "': ", message);
  }
  return image;
}

}  // namespace qatrt
