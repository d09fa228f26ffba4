// Gemm and MatMul. Gemm keeps ONNX's operands (A, B, optional C) and writes its attributes out with their
// defaults: alpha, beta, transA, transB (0/1).
#include "onnx/op_table.h"

namespace qatrt {

Status import_gemm(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 3));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Gemm has one output"));
  for (size_t i = 0; i < 2; ++i)
    if (node.input_rank(i) != 2)
      return node.error(StatusCode::kInvalidArgument, "input ", i, " '", node.input(i).name, "' has shape ",
                        shape_to_string(node.input(i).shape), "; Gemm needs 2-D operands (insert a Flatten)");
  if (node.has_input(2) && node.input_rank(2) > 2)
    return node.error(StatusCode::kInvalidArgument, "bias C '", node.input(2).name, "' has shape ",
                      shape_to_string(node.input(2).shape), "; it must broadcast to [M, N]");
  QATRT_ASSIGN_OR_RETURN(float alpha, node.attr_float("alpha", 1.0f));
  QATRT_ASSIGN_OR_RETURN(float beta, node.attr_float("beta", 1.0f));
  QATRT_ASSIGN_OR_RETURN(int64_t trans_a, node.attr_int("transA", 0));
  QATRT_ASSIGN_OR_RETURN(int64_t trans_b, node.attr_int("transB", 0));
  Node& ir = node.node();
  ir.attrs["alpha"] = alpha;
  ir.attrs["beta"] = beta;
  ir.attrs["transA"] = int64_t{trans_a != 0};
  ir.attrs["transB"] = int64_t{trans_b != 0};
  return {};
}

Status import_matmul(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 2));
  return node.expect_output_count(1, "MatMul has one output");
}

}  // namespace qatrt
