#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "passes/constant_math.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

const QuantParams kX = per_tensor(0.05f, 3);

TEST(DequantizeForFp32, DropsActivationRoundTripsAndDequantizesWeightsOnce) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 5, 5});
  QuantParams wq = per_axis({0.01f, 0.02f, 0.03f, 0.04f}, 0);
  ValueId w_q = b.int_constant("w", {4, 3, 3, 3}, DType::kInt8, wq);
  ValueId y = b.conv("conv", b.dequantize(b.quantize(x, kX), kX), b.dequantize(w_q, wq));
  b.output(b.node(Op::kRelu, "relu", {y}));
  Graph g = b.finish();
  Tensor expected_weight = dequantize_tensor(*g.value(w_q).constant, wq);

  ASSERT_TRUE(apply_pass(g, dequantize_for_fp32).ok());
  SCOPED_TRACE(dump(g));
  EXPECT_EQ(count_ops(g, Op::kQuantizeLinear), 0);
  EXPECT_EQ(count_ops(g, Op::kDequantizeLinear), 0);
  const Node* conv = find_op(g, Op::kConv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->inputs[0], g.inputs[0]);
  const Value& w = g.value(conv->inputs[1]);
  ASSERT_TRUE(w.constant.has_value());
  EXPECT_TRUE(same_tensors(expected_weight, *w.constant));

  // The result is the float model: Conv(x, dequantized weights) built by hand.
  GraphBuilder reference;
  ValueId rx = reference.input("x", {1, 3, 5, 5});
  reference.output(reference.node(Op::kRelu, "relu", {reference.conv("conv", rx, reference.constant("w", expected_weight))}));
  expect_equivalent(reference.finish(), g, /*exact=*/true, "fp32 graph");
}

TEST(DequantizeWeights, DequantizesWeightsAndKeepsActivationRoundTrips) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 5, 5});
  QuantParams wq = per_axis({0.01f, 0.02f, 0.03f, 0.04f}, 0);
  ValueId w_q = b.int_constant("w", {4, 3, 3, 3}, DType::kInt8, wq);
  b.output(b.conv("conv", b.dequantize(b.quantize(x, kX), kX), b.dequantize(w_q, wq)));
  Graph before = b.finish();
  Graph g = before;
  Tensor expected_weight = dequantize_tensor(*g.value(w_q).constant, wq);

  ASSERT_TRUE(apply_pass(g, dequantize_weights).ok());
  SCOPED_TRACE(dump(g));
  EXPECT_EQ(count_ops(g, Op::kQuantizeLinear), 1);
  EXPECT_EQ(count_ops(g, Op::kDequantizeLinear), 1);  // the activation's
  const Node* conv = find_op(g, Op::kConv);
  ASSERT_NE(conv, nullptr);
  const Value& w = g.value(conv->inputs[1]);
  ASSERT_TRUE(w.constant.has_value());
  EXPECT_EQ(w.dtype, DType::kFloat32);
  EXPECT_FALSE(w.quant.has_value());
  EXPECT_TRUE(same_tensors(expected_weight, *w.constant));
  expect_equivalent(before, g, /*exact=*/true, "weights dequantized");
}

TEST(DequantizeForFp32, KeepsQuantizeWithOtherReadersOrOtherParameters) {
  struct Case {
    std::string name;
    bool other_reader;  // else: the DQ's parameters differ
  };
  for (Case c : {Case{"Q also read by a non-DQ", true}, Case{"DQ with other parameters", false}}) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    ValueId q = b.quantize(b.input("x", {2, 4}), kX);
    b.output(b.dequantize(q, c.other_reader ? kX : per_tensor(0.1f, 3)));
    if (c.other_reader) b.output(b.node(Op::kFlatten, "int8_reader", {q}));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, dequantize_for_fp32).ok());
    EXPECT_EQ(count_ops(after, Op::kQuantizeLinear), 1) << dump(after);
    EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 1);
    expect_equivalent(before, after, true, c.name);
  }
}

TEST(DequantizeForFp32, GraphOutputKeepsItsName) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 4});
  ValueId relu = b.node(Op::kRelu, "relu", {x});
  ValueId y = b.dequantize(b.quantize(relu, kX), kX, "out");
  b.output(y);
  Graph g = b.finish();
  std::string name = g.value(y).name;
  ASSERT_TRUE(apply_pass(g, dequantize_for_fp32).ok());
  SCOPED_TRACE(dump(g));
  EXPECT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.value(g.outputs[0]).name, name);
  EXPECT_EQ(g.nodes[0].outputs[0], g.outputs[0]);
}

}  // namespace
}  // namespace qatrt::testing
