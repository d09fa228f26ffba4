#include "export/proto_writer.h"

#include <bit>

namespace qatrt {

static_assert(std::endian::native == std::endian::little, "ONNX raw_data is little-endian");

int32_t onnx_elem_type(DType type) {
  switch (type) {
    case DType::kFloat32: return onnx::TensorProto::FLOAT;
    case DType::kInt8: return onnx::TensorProto::INT8;
    case DType::kUInt8: return onnx::TensorProto::UINT8;
    case DType::kInt32: return onnx::TensorProto::INT32;
    case DType::kInt64: return onnx::TensorProto::INT64;
    case DType::kBool: return onnx::TensorProto::BOOL;
    case DType::kFloat64: return onnx::TensorProto::DOUBLE;
    case DType::kFloat16: return onnx::TensorProto::FLOAT16;
  }
  return onnx::TensorProto::UNDEFINED;
}

void write_tensor(const Tensor& tensor, const std::string& name, onnx::TensorProto& proto) {
  proto.set_name(name);
  proto.set_data_type(onnx_elem_type(tensor.dtype()));
  for (int64_t dim : tensor.shape()) proto.add_dims(dim);
  proto.set_raw_data(static_cast<const char*>(tensor.raw()), tensor.nbytes());
}

void write_attribute(const std::string& name, const AttrValue& value, onnx::AttributeProto& proto) {
  proto.set_name(name);
  if (const auto* i = std::get_if<int64_t>(&value)) {
    proto.set_type(onnx::AttributeProto::INT);
    proto.set_i(*i);
  } else if (const auto* f = std::get_if<float>(&value)) {
    proto.set_type(onnx::AttributeProto::FLOAT);
    proto.set_f(*f);
  } else if (const auto* s = std::get_if<std::string>(&value)) {
    proto.set_type(onnx::AttributeProto::STRING);
    proto.set_s(*s);
  } else if (const auto* ints = std::get_if<std::vector<int64_t>>(&value)) {
    proto.set_type(onnx::AttributeProto::INTS);
    for (int64_t v : *ints) proto.add_ints(v);
  } else if (const auto* floats = std::get_if<std::vector<float>>(&value)) {
    proto.set_type(onnx::AttributeProto::FLOATS);
    for (float v : *floats) proto.add_floats(v);
  } else if (const auto* tensor = std::get_if<Tensor>(&value)) {
    proto.set_type(onnx::AttributeProto::TENSOR);
    write_tensor(*tensor, name, *proto.mutable_t());
  }
}

void write_value_info(const Value& value, onnx::ValueInfoProto& proto) {
  proto.set_name(value.name);
  auto* tensor_type = proto.mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(onnx_elem_type(value.dtype));
  auto* shape = tensor_type->mutable_shape();
  for (int64_t dim : value.shape) {
    auto* d = shape->add_dim();
    if (dim == kDynamicDim)
      d->set_dim_param(kBatchDimParam);
    else
      d->set_dim_value(dim);
  }
}

}  // namespace qatrt
