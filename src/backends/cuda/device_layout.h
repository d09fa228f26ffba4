// How the CUDA backend stores activations on the device (every CUDA kernel and the CUDA execution context
// agree on it; a TensorView's shape stays the logical NCHW shape, like everywhere in qatrt):
//   * 4-D int8/uint8 values: NHWC, channels padded to stored_channels(C), the padding channels holding the
//     real value 0 (the zero point; 0 bytes in a reordered int8 graph input):
//       - C ≤ kFewChannelsStored (8): 8 channels per pixel. QuantizeLinear, the int8 graph-input reorder and
//         MaxPool write such values; the im2col convolution (im2col.h), MaxPool, DequantizeLinear, views (C = 8,
//         H = W = 1) and the host read-back read them; plan_conv refuses a QConv over them that im2col cannot
//         run (the implicit-GEMM convolution reads C padded to 32). An image's 3 channels thus cost 8 bytes a
//         pixel instead of 32, and the stem's filter row of 7 taps is 56 contiguous bytes;
//       - C > 8: padded_channels(C), a multiple of 32 (what the INT8 convolution reads);
//   * 4-D float values: NHWC, unpadded — except a graph input, which stays NCHW as the caller gave it
//     (TensorView::layout says which);
//   * every other rank: row-major, as in the IR.
// A kernel that reads or writes 4-D int8 values takes its channel stride from stored_channels() and either
// handles both strides (8 and multiples of 32) or is refused at planning time with the reason.
#pragma once

#include <cstddef>
#include <cstdint>

#include "backends/backend.h"

namespace qatrt::cuda {

// Int8 values with at most this many channels are stored with exactly this many per pixel.
constexpr int64_t kFewChannelsStored = 8;

// Channels a 4-D value of this type keeps per pixel on the device.
int64_t stored_channels(DType dtype, int64_t channels);
// Bytes of a device buffer holding the value in `layout` (kNchw only for graph inputs, never padded).
size_t device_bytes(DType dtype, const Shape& shape, Layout layout);
// True when the device bytes of the value (in the CUDA layout) are its row-major IR order: then Flatten and
// Reshape are views. Holds for every rank but 4, and for 4-D values with H = W = 1 and no channel padding.
bool device_row_major(DType dtype, const Shape& shape);

}  // namespace qatrt::cuda
