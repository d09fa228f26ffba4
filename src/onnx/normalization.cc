// BatchNormalization (inference form only) and Softmax (opset-13 semantics: normalises along one axis).
#include "onnx/op_table.h"

namespace qatrt {

Status import_batch_normalization(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(5, 5));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(
      1, "the running mean/var outputs exist only in training mode; export the model in eval mode"));
  QATRT_RETURN_IF_ERROR(node.attr_must_equal("training_mode", 0, "export the model in eval mode"));
  node.ignore_attr("momentum");  // only updates running statistics in training mode
  QATRT_ASSIGN_OR_RETURN(float epsilon, node.attr_float("epsilon", 1e-5f));
  if (node.input_rank(0) < 2)
    return node.error(StatusCode::kInvalidArgument, "input '", node.input(0).name, "' has shape ",
                      shape_to_string(node.input(0).shape), "; expected [N, C, ...]");
  const int64_t channels = node.input(0).shape[1];
  const char* roles[] = {"", "scale", "B", "mean", "var"};
  for (size_t i = 1; i < 5; ++i) {
    const Shape& shape = node.input(i).shape;
    if (shape.size() != 1 || (channels != kDynamicDim && shape[0] != kDynamicDim && shape[0] != channels))
      return node.error(StatusCode::kInvalidArgument, "input ", i, " (", roles[i], ") '", node.input(i).name,
                        "' has shape ", shape_to_string(shape), ", expected [", channels, "]");
  }
  node.node().attrs["epsilon"] = epsilon;
  return {};
}

Status import_softmax(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Softmax has one output"));
  QATRT_ASSIGN_OR_RETURN(int64_t axis, node.attr_int("axis", -1));
  QATRT_ASSIGN_OR_RETURN(axis, node.normalize_axis(axis, node.input_rank(0), "attribute 'axis'"));
  node.node().attrs["axis"] = axis;
  return {};
}

}  // namespace qatrt
