#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

using Perm = std::vector<int64_t>;
const Perm kToNchw = {0, 3, 1, 2};
const Perm kToNhwc = {0, 2, 3, 1};
const Perm kHwioToOihw = {3, 2, 0, 1};

ValueId transpose(GraphBuilder& b, ValueId x, const Perm& perm, const std::string& name = "t") {
  return b.node(Op::kTranspose, name, {x}, {{"perm", perm}});
}

// tf2onnx's layout: NHWC activations and Q/DQ, each conv wrapped in Transposes, HWIO weights quantized along
// their last axis and transposed to OIHW after the DQ.
ValueId tf2onnx_conv(GraphBuilder& b, ValueId x_nhwc, int64_t c, int64_t k, const std::string& name) {
  QuantParams xq = per_tensor(0.0625f);
  std::vector<float> scales;
  for (int64_t i = 0; i < k; ++i) scales.push_back(i % 2 ? 0.0078125f : 0.015625f);
  ValueId x = b.dequantize(b.quantize(x_nhwc, xq), xq);
  ValueId w = transpose(b, b.weight(name + "_w", {3, 3, c, k}, per_axis(scales, 3)), kHwioToOihw, name + "_wt");
  ValueId y = b.conv(name, transpose(b, x, kToNchw, name + "_in"), w, kNoValue,
                     {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  return b.node(Op::kRelu, name + "_relu", {transpose(b, y, kToNhwc, name + "_out")});
}

TEST(SinkTransposes, Tf2onnxChainKeepsOnlyTheLayoutTransposesAtTheEdges) {
  GraphBuilder b;
  ValueId x = b.input("x", {2, 6, 6, 3});  // NHWC
  ValueId y1 = tf2onnx_conv(b, x, 3, 4, "conv1");
  ValueId y2 = tf2onnx_conv(b, y1, 4, 4, "conv2");
  b.output(b.node(Op::kAdd, "residual", {y1, y2}));
  Graph before = b.finish();
  Graph after = before;
  PassContext context;
  ASSERT_TRUE(apply_pass(after, sink_transposes, &context).ok());
  SCOPED_TRACE(dump(after));
  // Left: the input's NHWC→NCHW (before conv1's Q) and the output's NCHW→NHWC.
  EXPECT_EQ(count_ops(after, Op::kTranspose), 2);
  // Weights: int8 OIHW constants quantized along axis 0.
  for (const Node& node : after.nodes) {
    if (node.op != Op::kConv) continue;
    const Node& dq = after.nodes[static_cast<size_t>(after.producer(node.inputs[1]))];
    ASSERT_EQ(dq.op, Op::kDequantizeLinear);
    const Value& w = after.value(dq.inputs[0]);
    EXPECT_EQ(w.shape[2], 3);
    EXPECT_EQ(w.quant->axis, 0);
    EXPECT_EQ(dq.attr_int("axis", -1), 0);
  }
  expect_equivalent(before, after, /*exact=*/true, "tf2onnx chain");
}

TEST(SinkTransposes, ElementwiseWithTransposedAndConstantOperands) {
  struct Case {
    std::string name;
    Op op;
    bool constant_operand;
    bool scalar;
  };
  const Case cases[] = {{"Add of two transposed", Op::kAdd, false, false},
                        {"Mul by a full-rank constant", Op::kMul, true, false},
                        {"Sub a scalar constant", Op::kSub, true, true}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 3, 4});
    ValueId tx = transpose(b, x, kToNhwc, "tx");
    ValueId other;
    if (!c.constant_operand)
      other = transpose(b, b.input("y", {1, 2, 3, 4}), kToNhwc, "ty");
    else
      other = b.float_constant("c", c.scalar ? Shape{} : Shape{1, 3, 4, 2}, -2, 2, 0.25f);
    ValueId e = b.node(c.op, "e", {tx, other});
    b.output(transpose(b, b.node(Op::kRelu, "relu", {e}), kToNchw, "back"));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, sink_transposes).ok());
    EXPECT_EQ(count_ops(after, Op::kTranspose), 0) << dump(after);
    expect_equivalent(before, after, true, c.name);
  }
}

TEST(SinkTransposes, PerAxisQuantizeFollowsTheSunkTranspose) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 2, 2});
  QuantParams q = per_axis({0.5f, 0.25f, 0.125f}, 3);  // axis 3 of the NHWC tensor = channel
  ValueId d = b.dequantize(b.quantize(transpose(b, x, kToNhwc), q), q);
  b.output(transpose(b, d, kToNchw, "back"));
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, sink_transposes).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kTranspose), 0);
  EXPECT_EQ(find_op(after, Op::kQuantizeLinear)->attr_int("axis", -1), 1);
  EXPECT_EQ(find_op(after, Op::kDequantizeLinear)->attr_int("axis", -1), 1);
  expect_equivalent(before, after, true, "per-axis Q/DQ");
}

TEST(SinkTransposes, FoldsIntoConstantsAndOrderPreservingReshapes) {
  // [N,C,1,1] → Transpose(0,2,3,1) → Reshape [N,C] / Flatten: the Transpose only moves size-1 dims.
  for (Op reader : {Op::kReshape, Op::kFlatten}) {
    SCOPED_TRACE(op_name(reader));
    GraphBuilder b;
    ValueId x = b.input("x", {2, 5, 1, 1});
    ValueId t = transpose(b, x, kToNhwc);
    if (reader == Op::kReshape)
      b.output(b.node(reader, "r", {t, b.constant("shape", Tensor::from_vector<int64_t>({2}, {-1, 5}))}));
    else
      b.output(b.node(reader, "r", {t}, {{"axis", int64_t{3}}}));
    ValueId w = b.float_constant("w", {3, 4}, -1, 1);
    b.output(b.node(Op::kMatMul, "mm", {b.input("a", {2, 3}), transpose(b, transpose(b, w, {1, 0}, "wt"), {1, 0}, "wtt")}));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, sink_transposes).ok());
    EXPECT_EQ(count_ops(after, Op::kTranspose), 0) << dump(after);
    expect_equivalent(before, after, true, "reshape bypass");
  }
}

TEST(SinkTransposes, LeavesTransposesThatCannotMove) {
  struct Case {
    std::string name;
    std::function<void(GraphBuilder&, ValueId)> build;
    int transposes;
  };
  const Case cases[] = {
      {"transposed value read by two elementwise ops",
       [](GraphBuilder& b, ValueId x) {
         ValueId t = transpose(b, x, kToNhwc);
         b.output(b.node(Op::kRelu, "r1", {t}));
         b.output(b.node(Op::kRelu, "r2", {t}));
       },
       1},
      {"reshape of a transpose that reorders elements",
       [](GraphBuilder& b, ValueId x) {
         ValueId t = transpose(b, x, kToNhwc);
         b.output(b.node(Op::kReshape, "r", {t, b.constant("s", Tensor::from_vector<int64_t>({2}, {2, -1}))}));
       },
       1},
      {"add of a transposed and a plain value",
       [](GraphBuilder& b, ValueId x) {
         ValueId t = transpose(b, x, kToNhwc);
         b.output(b.node(Op::kAdd, "a", {t, b.input("y", {2, 3, 2, 2})}));
       },
       1},
      {"transpose feeding a conv",
       [](GraphBuilder& b, ValueId x) {
         b.output(b.conv("c", transpose(b, x, {0, 1, 3, 2}), b.float_constant("w", {1, 2, 1, 1}, -1, 1)));
       },
       1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    c.build(b, b.input("x", {2, 2, 3, 2}));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, sink_transposes).ok());
    EXPECT_EQ(count_ops(after, Op::kTranspose), c.transposes) << dump(after);
    expect_equivalent(before, after, true, c.name);
  }
}

}  // namespace
}  // namespace qatrt::testing
