#include "core/tensor.h"

#include "core/float16.h"

namespace qatrt {

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype),
      shape_(std::move(shape)),
      storage_(std::make_shared<std::vector<uint8_t>>(static_cast<size_t>(shape_numel(shape_)) * dtype_size(dtype))) {}

double Tensor::as_double(int64_t i) const {
  switch (dtype_) {
    case DType::kFloat32: return data<float>()[i];
    case DType::kInt8: return data<int8_t>()[i];
    case DType::kUInt8: return data<uint8_t>()[i];
    case DType::kInt32: return data<int32_t>()[i];
    case DType::kInt64: return static_cast<double>(data<int64_t>()[i]);
    case DType::kBool: return data<bool>()[i] ? 1.0 : 0.0;
    case DType::kFloat64: return data<double>()[i];
    case DType::kFloat16: return half_bits_to_float(data<uint16_t>()[i]);
  }
  return 0;
}

int64_t Tensor::as_int64(int64_t i) const {
  if (dtype_ == DType::kInt64) return data<int64_t>()[i];
  return static_cast<int64_t>(as_double(i));
}

std::vector<int64_t> Tensor::to_int64_vector() const {
  std::vector<int64_t> out(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) out[i] = as_int64(i);
  return out;
}

std::vector<float> Tensor::to_float_vector() const {
  std::vector<float> out(static_cast<size_t>(numel()));
  for (int64_t i = 0; i < numel(); ++i) out[i] = static_cast<float>(as_double(i));
  return out;
}

Tensor Tensor::clone() const {
  Tensor copy(dtype_, shape_);
  if (storage_) *copy.storage_ = *storage_;
  return copy;
}

Tensor Tensor::reshaped(Shape shape) const {
  Tensor view = *this;
  view.shape_ = std::move(shape);
  return view;
}

}  // namespace qatrt
