// How the CUDA backend stores activations on the device (every CUDA kernel and the CUDA execution context
// agree on it; a TensorView's shape stays the logical NCHW shape, like everywhere in qatrt):
//   * 4-D int8/uint8 values: NHWC, channels padded to padded_channels(C) (a multiple of 32, what the INT8
//     convolution reads), the padding channels holding the real value 0;
//   * 4-D float values: NHWC, unpadded — except a graph input, which stays NCHW as the caller gave it
//     (TensorView::layout says which);
//   * every other rank: row-major, as in the IR.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backends/backend.h"

namespace qatrt::cuda {

// Channels a 4-D value of this type keeps per pixel on the device.
int64_t stored_channels(DType dtype, int64_t channels);
// Bytes of a device buffer holding the value in `layout` (kNchw only for graph inputs, never padded).
size_t device_bytes(DType dtype, const Shape& shape, Layout layout);
// True when the device bytes of the value (in the CUDA layout) are its row-major IR order: then Flatten and
// Reshape are views. Holds for every rank but 4, and for 4-D values with H = W = 1 and no channel padding.
bool device_row_major(DType dtype, const Shape& shape);

}  // namespace qatrt::cuda
