// Element types the IR and the kernels know. Numbering is part of the plan format: append only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace qatrt {

enum class DType : uint8_t { kFloat32 = 0, kInt8 = 1, kUInt8 = 2, kInt32 = 3, kInt64 = 4, kBool = 5, kFloat64 = 6,
                        kFloat16 = 7 /* IEEE binary16, stored as its bits (core/float16.h) */ };

size_t dtype_size(DType type);
std::string_view dtype_name(DType type);  // "float32", "int8", ...
bool is_quantized_type(DType type);       // int8 or uint8

template <typename T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::kFloat32; }
template <> constexpr DType dtype_of<int8_t>() { return DType::kInt8; }
template <> constexpr DType dtype_of<uint8_t>() { return DType::kUInt8; }
template <> constexpr DType dtype_of<int32_t>() { return DType::kInt32; }
template <> constexpr DType dtype_of<int64_t>() { return DType::kInt64; }
template <> constexpr DType dtype_of<bool>() { return DType::kBool; }
template <> constexpr DType dtype_of<double>() { return DType::kFloat64; }

}  // namespace qatrt
