#include "core/dtype.h"

namespace qatrt {

size_t dtype_size(DType type) {
  switch (type) {
    case DType::kFloat32: return 4;
    case DType::kInt8: return 1;
    case DType::kUInt8: return 1;
    case DType::kInt32: return 4;
    case DType::kInt64: return 8;
    case DType::kBool: return 1;
    case DType::kFloat64: return 8;
    case DType::kFloat16: return 2;
  }
  return 0;
}

std::string_view dtype_name(DType type) {
  switch (type) {
    case DType::kFloat32: return "float32";
    case DType::kInt8: return "int8";
    case DType::kUInt8: return "uint8";
    case DType::kInt32: return "int32";
    case DType::kInt64: return "int64";
    case DType::kBool: return "bool";
    case DType::kFloat64: return "float64";
    case DType::kFloat16: return "float16";
  }
  return "?";
}

bool is_quantized_type(DType type) { return type == DType::kInt8 || type == DType::kUInt8; }

}  // namespace qatrt
