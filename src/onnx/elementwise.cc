// Add / Sub / Mul / Div (numpy broadcasting; constant operands are ordinary constant Values), Relu, Clip
// (min / max are optional constant inputs, opset 11+ form) and Identity. None of them has attributes in
// opset 13, so any attribute is refused by the driver.
#include "onnx/op_table.h"

namespace qatrt {

Status import_binary(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 2));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "binary ops have one output"));
  if (node.input(0).dtype != node.input(1).dtype)
    return node.error(StatusCode::kInvalidArgument, "operands '", node.input(0).name, "' (",
                      dtype_name(node.input(0).dtype), ") and '", node.input(1).name, "' (",
                      dtype_name(node.input(1).dtype), ") have different types");
  return {};
}

Status import_relu(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  return node.expect_output_count(1, "Relu has one output");
}

Status import_clip(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 3));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Clip has one output"));
  const char* roles[] = {"", "min", "max"};
  for (size_t i = 1; i < 3; ++i) {
    if (!node.has_input(i)) continue;
    QATRT_ASSIGN_OR_RETURN(Tensor bound, node.constant_input(i, roles[i]));
    if (bound.numel() != 1)
      return node.error(StatusCode::kInvalidArgument, "input ", i, " (", roles[i], ") '", node.input(i).name,
                        "' has shape ", shape_to_string(bound.shape()), "; it must be a scalar");
    if (bound.dtype() != node.input(0).dtype)
      return node.error(StatusCode::kInvalidArgument, "input ", i, " (", roles[i], ") is ", dtype_name(bound.dtype()),
                        ", the data is ", dtype_name(node.input(0).dtype));
  }
  return {};
}

Status import_identity(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  return node.expect_output_count(1, "Identity has one output");
}

}  // namespace qatrt
