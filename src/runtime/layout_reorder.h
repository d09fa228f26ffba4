// Copies a 4-D tensor between its physical layouts (NCHW ↔ NHWC, or a plain copy when both match), any dtype.
// The runtime uses it where a consumer needs the other layout, for graph outputs (always returned NCHW) and
// for constants read by layout-oblivious (kAny) kernels.
#pragma once

#include "backends/backend.h"
#include "core/tensor.h"

namespace qatrt {

// src and dst have the same dtype and logical shape [N, C, H, W]; their `layout` fields say how each is stored.
void reorder_layout(const TensorView& src, const TensorView& dst);

// A copy of a constant (IR layout, NCHW) stored in `layout`.
Tensor reordered_constant(const Tensor& constant, Layout layout);

}  // namespace qatrt
