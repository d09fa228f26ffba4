#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

// x → Conv(x, DQ(Q(W float))): the Q folds into an int8 constant; the graph computes the same values.
Graph conv_with_float_weight_q(const QuantParams& wq, DType type, GraphBuilder& b) {
  ValueId x = b.input("x", {1, 3, 5, 5});
  ValueId w = b.float_constant("w", {4, 3, 3, 3}, -1.0f, 1.0f);
  ValueId dq = b.dequantize(b.quantize(w, wq, type, "w_quantize"), wq, "w_dequantize");
  b.output(b.conv("conv", x, dq));
  return b.finish();
}

TEST(FoldWeightQdq, PerChannelInt8AndPerTensorUint8FoldExactly) {
  struct Case {
    QuantParams params;
    DType type;
  };
  const Case cases[] = {
      {per_axis({0.01f, 0.02f, 0.005f, 0.03f}, 0), DType::kInt8},
      {per_tensor(0.01f, 3), DType::kInt8},
      {per_tensor(0.008f, 128), DType::kUInt8},
  };
  for (const Case& c : cases) {
    GraphBuilder b;
    Graph before = conv_with_float_weight_q(c.params, c.type, b);
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, fold_weight_qdq).ok());
    SCOPED_TRACE(dump(after));
    EXPECT_EQ(count_ops(after, Op::kQuantizeLinear), 0);
    const Node* dq = find_op(after, Op::kDequantizeLinear);
    ASSERT_NE(dq, nullptr);
    const Value& q = after.value(dq->inputs[0]);
    ASSERT_TRUE(q.constant.has_value());
    EXPECT_EQ(q.dtype, c.type);
    ASSERT_TRUE(q.quant.has_value());
    EXPECT_EQ(*q.quant, c.params);
    // Element by element, the folded integers are what QuantizeLinear computes.
    const Tensor& w = *before.value(before.nodes[0].inputs[0]).constant;
    for (int64_t i = 0; i < w.numel(); ++i) {
      int64_t k = c.params.per_axis() ? i / 27 : 0;
      int32_t expected = quantize_value(w.data<float>()[i], c.params.scale(k), c.params.zero_point(k), c.type);
      ASSERT_EQ(q.constant->as_int64(i), expected) << "element " << i;
    }
    expect_equivalent(before, after, /*exact=*/true, "fold_weight_qdq");
  }
}

// 0.35f / 0.1f is 3.4999999 in real numbers but rounds to 3.5f in float32, which rounds to even (4): a
// QuantizeLinear node computes 4, the real quotient says 3. --exact (PassContext::exact_rounding) takes the latter.
TEST(FoldWeightQdq, ExactRoundingDividesInDouble) {
  for (bool exact : {false, true}) {
    GraphBuilder b;
    Tensor w(DType::kFloat32, {1, 1, 1, 1});
    w.data<float>()[0] = 0.35f;
    const QuantParams wq = per_tensor(0.1f);
    ValueId dq = b.dequantize(b.quantize(b.constant("w", w), wq, DType::kInt8, "w_quantize"), wq, "w_dequantize");
    b.output(b.conv("conv", b.input("x", {1, 1, 2, 2}), dq));
    Graph graph = b.finish();
    PassContext context;
    context.exact_rounding = exact;
    ASSERT_TRUE(apply_pass(graph, fold_weight_qdq, &context).ok());
    const Value& q = graph.value(find_op(graph, Op::kDequantizeLinear)->inputs[0]);
    EXPECT_EQ(q.constant->as_int64(0), exact ? 3 : 4) << (exact ? "exact" : "default");
  }
}

TEST(FoldWeightQdq, ActivationQuantizeIsNotFolded) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 4});
  b.output(b.dequantize(b.quantize(x, per_tensor(0.1f)), per_tensor(0.1f)));
  Graph g = b.finish();
  ASSERT_TRUE(apply_pass(g, fold_weight_qdq).ok());
  EXPECT_EQ(count_ops(g, Op::kQuantizeLinear), 1);
}

TEST(FoldWeightQdq, QuantizedConstantGraphOutputKeepsItsNode) {
  GraphBuilder b;
  ValueId w = b.float_constant("w", {4}, -1, 1);
  b.output(b.quantize(w, per_tensor(0.1f)));
  b.input("unused", {1});
  Graph g = b.finish();
  ASSERT_TRUE(apply_pass(g, fold_weight_qdq).ok());
  EXPECT_EQ(count_ops(g, Op::kQuantizeLinear), 1);
}

}  // namespace
}  // namespace qatrt::testing
