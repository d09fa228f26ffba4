#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

const QuantParams kQ = per_tensor(0.0625f, 0);

Status assign(Graph& g, PrecisionMode mode) {
  return apply_pass(g, [mode](Graph& graph, PassContext& ctx) { return assign_precision(graph, ctx, mode); });
}

const Node& node_named(const Graph& g, const std::string& name) {
  for (const Node& node : g.nodes)
    if (node.name == name) return node;
  ADD_FAILURE() << "no node " << name;
  return g.nodes.front();
}

// A small graph touching every category: int8 data movement, pure reshape, quantize, requantize, a DQ, a
// float elementwise op on dequantized inputs and one on plain float inputs.
Graph mixed_graph() {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 4, 4});
  ValueId q = b.quantize(x, kQ, DType::kInt8, "quantize");
  ValueId pooled = b.node(Op::kMaxPool, "pool", {q}, {{"kernel_shape", std::vector<int64_t>{2, 2}}});
  ValueId flat = b.node(Op::kFlatten, "flatten", {pooled});
  ValueId requantized = b.node(Op::kRequantize, "requantize", {flat});
  b.graph.value(requantized).dtype = DType::kInt8;
  b.graph.value(requantized).quant = per_tensor(0.125f);
  ValueId d = b.dequantize(requantized, per_tensor(0.125f), "dequantize");
  ValueId sum = b.node(Op::kAdd, "add_dequantized", {d, d});
  b.output(b.node(Op::kSoftmax, "softmax_float", {b.node(Op::kMul, "mul_float", {sum, sum})}));
  return b.finish();
}

TEST(AssignPrecision, EveryNodeGetsAPrecisionAndAReason) {
  Graph g = mixed_graph();
  ASSERT_TRUE(assign(g, PrecisionMode::kInt8).ok());
  SCOPED_TRACE(dump(g));
  for (const Node& node : g.nodes) {
    EXPECT_NE(node.precision, Precision::kUnset) << node.describe();
    EXPECT_FALSE(node.precision_reason.empty()) << node.describe();
  }
  EXPECT_EQ(node_named(g, "quantize").precision, Precision::kInt8);
  EXPECT_EQ(node_named(g, "pool").precision, Precision::kInt8);
  EXPECT_EQ(node_named(g, "flatten").precision, Precision::kNone);
  EXPECT_EQ(node_named(g, "requantize").precision, Precision::kInt8);
  EXPECT_EQ(node_named(g, "dequantize").precision, Precision::kFloat32);
  EXPECT_NE(node_named(g, "dequantize").precision_reason.find("add_dequantized"), std::string::npos);
  EXPECT_NE(node_named(g, "add_dequantized").precision_reason.find("no int8 kernel for Add"), std::string::npos);
  EXPECT_EQ(node_named(g, "mul_float").precision_reason, "input not quantized: no DQ before it");
}

TEST(AssignPrecision, Fp32ModeSaysSoAndKeepsTheFusedChain) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 4, 4});
  b.output(b.node(Op::kRelu, "relu", {b.conv("conv", x, b.float_constant("w", {2, 2, 1, 1}, -1, 1))}));
  Graph g = b.finish();
  ASSERT_TRUE(apply_pass(g, fuse_conv_epilogue).ok());
  ASSERT_TRUE(assign(g, PrecisionMode::kFp32).ok());
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].precision, Precision::kFloat32);
  EXPECT_EQ(g.nodes[0].precision_reason, "--fp32 requested; fused Conv→Relu");
}

TEST(AssignPrecision, Int8ModeKeepsTheFusionReason) {
  GraphBuilder b;
  ValueId x = b.dequantize(b.quantize(b.input("x", {1, 2, 4, 4}), kQ), kQ);
  b.output(b.conv("conv", x, b.weight("w", {2, 2, 1, 1}, per_tensor(0.5f))));
  Graph g = b.finish();
  ASSERT_TRUE(apply_pass(g, fuse_conv_epilogue).ok());
  ASSERT_TRUE(assign(g, PrecisionMode::kInt8).ok());
  const Node* qconv = find_op(g, Op::kQConv);
  ASSERT_NE(qconv, nullptr);
  EXPECT_EQ(qconv->precision_reason, "fused DQ→Conv");
}

}  // namespace
}  // namespace qatrt::testing
