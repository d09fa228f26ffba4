// Conversions from ONNX protobuf messages to qatrt types: element types, TensorProto → Tensor (raw_data and
// the typed repeated fields), a ValueInfo's declared shape (dim_param or a missing dim → kDynamicDim), and
// the value of a Constant node.
// Errors say which tensor / value failed and why; callers add the node or graph-input context.
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "core/dtype.h"
#include "core/shape.h"
#include "core/status.h"
#include "core/tensor.h"

namespace qatrt {

// "float16", "double", "string" … for messages (the TensorProto.DataType enum name, lower case).
std::string onnx_type_name(int32_t elem_type);

// The qatrt DType of an ONNX element type, or kUnsupported naming the type and a remedy.
StatusOr<DType> dtype_from_onnx(int32_t elem_type);

// Reads a TensorProto (raw_data or typed fields; external data is refused). Errors name the tensor.
StatusOr<Tensor> tensor_from_onnx(const onnx::TensorProto& proto);

// Declared element type and shape of a graph input / output. A value with no tensor type or unknown rank
// is an error (qatrt needs every graph input's rank).
struct DeclaredType {
  DType dtype = DType::kFloat32;
  Shape shape;
};
StatusOr<DeclaredType> declared_type(const onnx::ValueInfoProto& info);

// The tensor an ONNX Constant node defines (attribute value, value_float(s) or value_int(s)). Constant nodes
// become constant Values at import and leave no IR node. `node` is "node 'x' (Constant)" for messages.
StatusOr<Tensor> constant_node_tensor(const onnx::NodeProto& proto, const std::string& node);

}  // namespace qatrt
