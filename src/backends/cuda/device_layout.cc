#include "backends/cuda/device_layout.h"

#include "backends/cuda/conv_int8_prepare.h"

namespace qatrt::cuda {

int64_t stored_channels(DType dtype, int64_t channels) {
  if (!is_quantized_type(dtype)) return channels;
  return channels <= kFewChannelsStored ? kFewChannelsStored : padded_channels(static_cast<int>(channels));
}

size_t device_bytes(DType dtype, const Shape& shape, Layout layout) {
  int64_t elements = shape_numel(shape);
  if (shape.size() == 4 && layout == Layout::kNhwc)
    elements = shape[0] * stored_channels(dtype, shape[1]) * shape[2] * shape[3];
  return static_cast<size_t>(elements) * dtype_size(dtype);
}

bool device_row_major(DType dtype, const Shape& shape) {
  return shape.size() != 4 || (shape[2] * shape[3] == 1 && stored_channels(dtype, shape[1]) == shape[1]);
}

}  // namespace qatrt::cuda
