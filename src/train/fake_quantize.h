// Fake quantization for training (libtorch autograd): the forward pass computes exactly what a
// QuantizeLinear → DequantizeLinear pair computes at inference (GUIDE §2, symmetric int8):
//     s = amax / 127   (amax ≤ 0 → s = 1/127, as insert_qdq does for an all-zero channel)
//     y = s · clamp(roundTiesToEven(x / s), qmin, qmax)
// Backward, the straight-through estimator with clipping:
//     ∂y/∂x    = 1 where qmin ≤ x/s ≤ qmax (the clamp is inactive), else 0
//     ∂y/∂amax = qmax/127 where x/s > qmax, qmin/127 where x/s < qmin, else 0
// The amax gradient is PACT's (and pytorch-quantization's learned-amax clip): only the clipped region
// moves the range; the rounding error inside it is treated as constant (LSQ would add (q − x/s)/127 there).
// `amax` is a 0-d tensor (per-tensor) or any shape that broadcasts against x (per-channel).
#pragma once

#include <ATen/ATen.h>

namespace qatrt {

inline constexpr int64_t kInt8Min = -128;
inline constexpr int64_t kInt8Max = 127;

// The scale the forward pass uses, s = amax / 127 with the zero guard above (same float arithmetic as the
// exporter's scales, so a trained model exports exactly the scales it was trained with).
at::Tensor quant_scale(const at::Tensor& amax);

at::Tensor fake_quantize(const at::Tensor& x, const at::Tensor& amax, int64_t qmin = kInt8Min, int64_t qmax = kInt8Max);

// Per-channel weight amax along `axis`: max |w| over every other dimension, recomputed from the current
// weights at each call (as pytorch-quantization's weight quantizers do), detached, shaped to broadcast.
// axis = -1: one amax for the whole tensor (a 0-d tensor).
at::Tensor weight_amax(const at::Tensor& weight, int64_t axis);

// fake_quantize(weight, weight_amax(weight, axis)): never clipped, so its gradient is the identity.
at::Tensor fake_quantize_weight(const at::Tensor& weight, int64_t axis);

}  // namespace qatrt
