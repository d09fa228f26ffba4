// Tensor: a dense, row-major buffer with a dtype and a static shape. Copies share storage (cheap);
// use clone() for a deep copy. Used for constants in the IR, plan sections, and runtime I/O.
#pragma once

#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include "core/dtype.h"
#include "core/shape.h"

namespace qatrt {

class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape);  // zero-filled

  template <typename T>
  static Tensor from_vector(Shape shape, const std::vector<T>& values) {
    Tensor t(dtype_of<T>(), std::move(shape));
    std::memcpy(t.raw(), values.data(), values.size() * sizeof(T));
    return t;
  }
  static Tensor scalar(float value) { return from_vector<float>({}, {value}); }

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t numel() const { return shape_numel(shape_); }
  size_t nbytes() const { return static_cast<size_t>(numel()) * dtype_size(dtype_); }
  bool empty() const { return storage_ == nullptr; }

  void* raw() { return storage_ ? storage_->data() : nullptr; }
  const void* raw() const { return storage_ ? storage_->data() : nullptr; }
  template <typename T> T* data() { return static_cast<T*>(raw()); }
  template <typename T> const T* data() const { return static_cast<const T*>(raw()); }
  template <typename T> std::span<const T> values() const { return {data<T>(), static_cast<size_t>(numel())}; }
  template <typename T> std::span<T> values() { return {data<T>(), static_cast<size_t>(numel())}; }

  // Reads element i of any numeric dtype as double / int64 (for attributes, scales, shapes).
  double as_double(int64_t i) const;
  int64_t as_int64(int64_t i) const;
  std::vector<int64_t> to_int64_vector() const;
  std::vector<float> to_float_vector() const;

  Tensor clone() const;
  Tensor reshaped(Shape shape) const;  // same storage, new shape with the same numel

 private:
  DType dtype_ = DType::kFloat32;
  Shape shape_;
  std::shared_ptr<std::vector<uint8_t>> storage_;
};

}  // namespace qatrt
