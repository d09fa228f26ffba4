// qatrt types → ONNX protobuf messages: element types, tensors (always raw_data, little-endian), attributes
// and ValueInfos (a dynamic dimension becomes dim_param "N", the batch).
#pragma once

#include <onnx/onnx_pb.h>

#include <string>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"

namespace qatrt {

constexpr const char* kBatchDimParam = "N";

int32_t onnx_elem_type(DType type);
void write_tensor(const Tensor& tensor, const std::string& name, onnx::TensorProto& proto);
void write_attribute(const std::string& name, const AttrValue& value, onnx::AttributeProto& proto);
void write_value_info(const Value& value, onnx::ValueInfoProto& proto);

}  // namespace qatrt
