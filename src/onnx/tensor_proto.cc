#include "onnx/tensor_proto.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

namespace qatrt {
namespace {

// Copies `count` elements read from a typed repeated field into the tensor's storage, converting each.
template <typename Stored, typename Field>
void copy_typed(const Field& field, Tensor& tensor) {
  Stored* out = tensor.data<Stored>();
  for (int i = 0; i < field.size(); ++i) out[i] = static_cast<Stored>(field.Get(i));
}

int typed_field_size(const onnx::TensorProto& proto) {
  switch (proto.data_type()) {
    case onnx::TensorProto::FLOAT: return proto.float_data_size();
    case onnx::TensorProto::INT64: return proto.int64_data_size();
    default: return proto.int32_data_size();  // int8, uint8, int32, bool travel in int32_data
  }
}

}  // namespace

std::string onnx_type_name(int32_t elem_type) {
  if (!onnx::TensorProto_DataType_IsValid(elem_type)) return "element type " + std::to_string(elem_type);
  std::string name = onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(elem_type));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  return name;
}

StatusOr<DType> dtype_from_onnx(int32_t elem_type) {
  switch (elem_type) {
    case onnx::TensorProto::FLOAT: return DType::kFloat32;
    case onnx::TensorProto::INT8: return DType::kInt8;
    case onnx::TensorProto::UINT8: return DType::kUInt8;
    case onnx::TensorProto::INT32: return DType::kInt32;
    case onnx::TensorProto::INT64: return DType::kInt64;
    case onnx::TensorProto::BOOL: return DType::kBool;
    default:
      return make_error(StatusCode::kUnsupported, "data type ", onnx_type_name(elem_type),
                        " is not supported (qatrt handles float, int8, uint8, int32, int64, bool); export the model "
                        "in float32 (e.g. convert float16 models back with onnxconverter_common)");
  }
}

StatusOr<Tensor> tensor_from_onnx(const onnx::TensorProto& proto) {
  auto context = [&]() { return "tensor '" + proto.name() + "'"; };
  auto dtype = dtype_from_onnx(proto.data_type());
  if (!dtype.ok()) return dtype.status().with_context(context());
  if (proto.data_location() == onnx::TensorProto::EXTERNAL)
    return make_error(StatusCode::kUnsupported, context(),
                      ": external data is not supported; save the model with the tensors inside, "
                      "onnx.save(model, path, save_as_external_data=False)");
  Shape shape(proto.dims().begin(), proto.dims().end());
  for (size_t i = 0; i < shape.size(); ++i)
    if (shape[i] < 0) return make_error(StatusCode::kCorrupt, context(), ": dimension ", i, " is ", shape[i]);
  // Sizes are checked before allocating, so a corrupt tensor with huge dims is an error, not a bad_alloc.
  int64_t numel = 1;
  for (int64_t d : shape) {
    if (d != 0 && numel > std::numeric_limits<int64_t>::max() / 16 / d)
      return make_error(StatusCode::kCorrupt, context(), ": shape ", shape_to_string(shape), " is too large");
    numel *= d;
  }
  const size_t expected_bytes = static_cast<size_t>(numel) * dtype_size(*dtype);
  if (proto.has_raw_data()) {
    // ONNX stores raw_data little-endian, which is this machine's order.
    if (proto.raw_data().size() != expected_bytes)
      return make_error(StatusCode::kCorrupt, context(), ": raw_data holds ", proto.raw_data().size(),
                        " bytes, shape ", shape_to_string(shape), " of ", dtype_name(*dtype), " needs ",
                        expected_bytes);
    Tensor tensor(*dtype, shape);
    if (expected_bytes) std::memcpy(tensor.raw(), proto.raw_data().data(), expected_bytes);
    return tensor;
  }
  if (typed_field_size(proto) != numel)
    return make_error(StatusCode::kCorrupt, context(), ": holds ", typed_field_size(proto), " values, shape ",
                      shape_to_string(shape), " needs ", numel);
  Tensor tensor(*dtype, shape);
  switch (*dtype) {
    case DType::kFloat32: copy_typed<float>(proto.float_data(), tensor); break;
    case DType::kInt8: copy_typed<int8_t>(proto.int32_data(), tensor); break;
    case DType::kUInt8: copy_typed<uint8_t>(proto.int32_data(), tensor); break;
    case DType::kInt32: copy_typed<int32_t>(proto.int32_data(), tensor); break;
    case DType::kInt64: copy_typed<int64_t>(proto.int64_data(), tensor); break;
    case DType::kBool: copy_typed<bool>(proto.int32_data(), tensor); break;
    case DType::kFloat64:  // dtype_from_onnx maps no ONNX type to it (float64 lives only in --exact plans)
      return make_error(StatusCode::kUnsupported, context(), ": float64 tensors are not imported");
    case DType::kFloat16:  // dtype_from_onnx maps no ONNX type to it (float16 lives only in --fp16 plans)
      return make_error(StatusCode::kUnsupported, context(), ": float16 tensors are not imported");
  }
  return tensor;
}

StatusOr<DeclaredType> declared_type(const onnx::ValueInfoProto& info) {
  const std::string context = "'" + info.name() + "'";
  if (!info.type().has_tensor_type())
    return make_error(StatusCode::kUnsupported, context,
                      ": only tensor values are supported (sequence, map and optional types are not)");
  const auto& tensor_type = info.type().tensor_type();
  auto dtype = dtype_from_onnx(tensor_type.elem_type());
  if (!dtype.ok()) return dtype.status().with_context(context);
  if (!tensor_type.has_shape())
    return make_error(StatusCode::kUnsupported, context,
                      ": rank unknown; give the graph input a shape (onnx.tools.update_model_dims)");
  DeclaredType result{*dtype, {}};
  for (const auto& dim : tensor_type.shape().dim())
    result.shape.push_back(dim.has_dim_value() && dim.dim_value() >= 0 ? dim.dim_value() : kDynamicDim);
  return result;
}

}  // namespace qatrt
