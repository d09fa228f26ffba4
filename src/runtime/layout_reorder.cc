#include "runtime/layout_reorder.h"

#include <cstring>

namespace qatrt {
namespace {

// Flat offset of logical element (n, c, h, w) in a buffer of the given layout.
int64_t offset_of(Layout layout, const Shape& s, int64_t n, int64_t c, int64_t h, int64_t w) {
  if (layout == Layout::kNhwc) return ((n * s[2] + h) * s[3] + w) * s[1] + c;
  return ((n * s[1] + c) * s[2] + h) * s[3] + w;
}

template <typename Element>
void reorder(const TensorView& src, const TensorView& dst) {
  const Shape& s = src.shape;
  const Element* in = src.as<const Element>();
  Element* out = dst.as<Element>();
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t h = 0; h < s[2]; ++h)
        for (int64_t w = 0; w < s[3]; ++w)
          out[offset_of(dst.layout, s, n, c, h, w)] = in[offset_of(src.layout, s, n, c, h, w)];
}

}  // namespace

void reorder_layout(const TensorView& src, const TensorView& dst) {
  if (src.layout == dst.layout || src.shape.size() != 4) {
    std::memcpy(dst.data, src.data, static_cast<size_t>(src.numel()) * dtype_size(src.dtype));
    return;
  }
  switch (dtype_size(src.dtype)) {
    case 1: return reorder<uint8_t>(src, dst);
    case 4: return reorder<uint32_t>(src, dst);
    default: return reorder<uint64_t>(src, dst);
  }
}

Tensor reordered_constant(const Tensor& constant, Layout layout) {
  Tensor copy(constant.dtype(), constant.shape());
  TensorView src{.dtype = constant.dtype(), .shape = constant.shape(), .data = const_cast<void*>(constant.raw())};
  TensorView dst{.dtype = constant.dtype(), .shape = constant.shape(), .data = copy.raw(), .layout = layout};
  reorder_layout(src, dst);
  return copy;
}

}  // namespace qatrt
