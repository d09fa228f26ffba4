#include "passes/constant_math.h"

#include <algorithm>
#include <cstring>

namespace qatrt {
namespace {

// x / s in Real: float (what a QuantizeLinear node computes at run time) or double (exact rounding).
template <typename Real, typename Q>
void quantize_into(const float* x, Q* q, const Shape& shape, const QuantParams& params, DType type) {
  for_each_channel_run(shape, params, [&](int64_t c, int64_t begin, int64_t end) {
    const Real scale = params.scale(c);
    const int64_t zero_point = params.zero_point(c);
    for (int64_t i = begin; i < end; ++i)
      q[i] = static_cast<Q>(quantize_in<Real>(static_cast<Real>(x[i]), scale, zero_point, type));
  });
}

// (q − z) · s in Real: float (what a DequantizeLinear node computes) or double (exact rounding).
template <typename Real, typename Q>
void dequantize_into(const Q* q, Real* x, const Shape& shape, const QuantParams& params) {
  for_each_channel_run(shape, params, [&](int64_t c, int64_t begin, int64_t end) {
    const Real scale = params.scale(c);
    const int64_t zero_point = params.zero_point(c);
    for (int64_t i = begin; i < end; ++i) x[i] = dequantize_in<Real>(static_cast<int32_t>(q[i]), scale, zero_point);
  });
}

template <typename Real>
void dequantize_any(const Tensor& input, const QuantParams& params, Real* x) {
  switch (input.dtype()) {
    case DType::kInt8: dequantize_into(input.data<int8_t>(), x, input.shape(), params); break;
    case DType::kUInt8: dequantize_into(input.data<uint8_t>(), x, input.shape(), params); break;
    default: {
      std::vector<int64_t> q = input.to_int64_vector();  // int32 bias
      dequantize_into(q.data(), x, input.shape(), params);
    }
  }
}

}  // namespace

Tensor transpose_tensor(const Tensor& input, const std::vector<int64_t>& perm) {
  const Shape& in_shape = input.shape();
  const size_t rank = in_shape.size();
  Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = in_shape[static_cast<size_t>(perm[i])];
  Tensor output(input.dtype(), out_shape);
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t d = rank; d-- > 1;) in_strides[d - 1] = in_strides[d] * in_shape[d];
  const size_t elem = dtype_size(input.dtype());
  const auto* src = static_cast<const uint8_t*>(input.raw());
  auto* dst = static_cast<uint8_t*>(output.raw());
  std::vector<int64_t> index(rank, 0);  // position in the output
  for (int64_t o = 0; o < output.numel(); ++o) {
    int64_t offset = 0;
    for (size_t i = 0; i < rank; ++i) offset += index[i] * in_strides[static_cast<size_t>(perm[i])];
    std::memcpy(dst + static_cast<size_t>(o) * elem, src + static_cast<size_t>(offset) * elem, elem);
    for (size_t d = rank; d-- > 0;) {
      if (++index[d] < out_shape[d]) break;
      index[d] = 0;
    }
  }
  return output;
}

Tensor quantize_tensor(const Tensor& input, const QuantParams& params, DType type, bool exact) {
  Tensor output(type, input.shape());
  const Tensor x = input.dtype() == DType::kFloat32 ? input : Tensor::from_vector(input.shape(), input.to_float_vector());
  const Shape& shape = input.shape();
  if (type == DType::kUInt8) {
    exact ? quantize_into<double>(x.data<float>(), output.data<uint8_t>(), shape, params, type)
          : quantize_into<float>(x.data<float>(), output.data<uint8_t>(), shape, params, type);
  } else {
    exact ? quantize_into<double>(x.data<float>(), output.data<int8_t>(), shape, params, type)
          : quantize_into<float>(x.data<float>(), output.data<int8_t>(), shape, params, type);
  }
  return output;
}

Tensor dequantize_tensor(const Tensor& input, const QuantParams& params) {
  Tensor output(DType::kFloat32, input.shape());
  dequantize_any(input, params, output.data<float>());
  return output;
}

std::vector<double> dequantize_exact(const Tensor& input, const QuantParams& params) {
  std::vector<double> output(static_cast<size_t>(input.numel()));
  dequantize_any(input, params, output.data());
  return output;
}

std::vector<int64_t> transpose_perm(const std::vector<int64_t>& perm_attr, size_t rank) {
  if (!perm_attr.empty()) return perm_attr;
  std::vector<int64_t> reversed(rank);
  for (size_t i = 0; i < rank; ++i) reversed[i] = static_cast<int64_t>(rank - 1 - i);
  return reversed;
}

std::vector<int64_t> inverse_perm(const std::vector<int64_t>& perm) {
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[static_cast<size_t>(perm[i])] = static_cast<int64_t>(i);
  return inverse;
}

bool is_identity_perm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

int64_t axis_after_transpose(const std::vector<int64_t>& perm, int64_t axis) {
  return std::find(perm.begin(), perm.end(), axis) - perm.begin();
}

}  // namespace qatrt
