// Build-time arithmetic on constant tensors, done once by the passes (weights, BN parameters, bias).
// Quantize / dequantize use the exact formulas of core/quant.h, so a folded constant equals what the
// Q / DQ node would have produced at run time.
#pragma once

#include <vector>

#include "core/quant.h"
#include "core/tensor.h"

namespace qatrt {

// Transposes data of any dtype: out.shape[i] = in.shape[perm[i]].
Tensor transpose_tensor(const Tensor& input, const std::vector<int64_t>& perm);
// q = saturate(roundTiesToEven(x / s[c]) + z[c]), c the index along params.axis when per-axis; x / s[c] in
// float32 as a QuantizeLinear computes it, or in double with `exact` (exact rounding, src/ir/ops.h).
Tensor quantize_tensor(const Tensor& input, const QuantParams& params, DType type, bool exact = false);
// x = (q − z[c]) · s[c]; the input may be int8, uint8 or int32.
Tensor dequantize_tensor(const Tensor& input, const QuantParams& params);
// The same in double, unrounded (exact rounding, src/ir/ops.h): the values of a quantized bias.
std::vector<double> dequantize_exact(const Tensor& input, const QuantParams& params);

// Calls body(c, begin, end) for each run [begin, end) of consecutive flat indices of a row-major tensor that
// share one coordinate c along `axis` (c = 0 and one run over everything when not per-axis).
template <typename Body>
void for_each_channel_run(const Shape& shape, const QuantParams& params, Body&& body) {
  const int64_t total = shape_numel(shape);
  if (!params.per_axis()) {
    body(int64_t{0}, int64_t{0}, total);
    return;
  }
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(params.axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t channels = shape[static_cast<size_t>(params.axis)];
  for (int64_t begin = 0; begin < total; begin += inner) body((begin / inner) % channels, begin, begin + inner);
}

// The perm of a Transpose node (ONNX default: reversed dims).
std::vector<int64_t> transpose_perm(const std::vector<int64_t>& perm_attr, size_t rank);
std::vector<int64_t> inverse_perm(const std::vector<int64_t>& perm);
bool is_identity_perm(const std::vector<int64_t>& perm);
// The axis of a transposed tensor that holds axis `axis` of its input: i with perm[i] == axis.
int64_t axis_after_transpose(const std::vector<int64_t>& perm, int64_t axis);

}  // namespace qatrt
