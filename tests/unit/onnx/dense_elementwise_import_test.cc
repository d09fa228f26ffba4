// Gemm, MatMul, binary elementwise ops, Relu, Clip, Identity, BatchNormalization and Softmax import.
#include <gtest/gtest.h>

#include "onnx_builder.h"

namespace qatrt::testing {
namespace {

TEST(OnnxGemm, AttributesWrittenOutAndShape) {
  for (int trans_b = 0; trans_b < 2; ++trans_b) {
    SCOPED_TRACE("transB=" + std::to_string(trans_b));
    OnnxBuilder b;
    b.input("a", kFloat, {-1, 8}).weight("w", trans_b ? std::vector<int64_t>{5, 8} : std::vector<int64_t>{8, 5});
    b.weight("c", {5});
    auto n = b.node("Gemm", {"a", "w", "c"}, {"y"}, "fc");
    n.f("alpha", 0.5f);
    if (trans_b) n.i("transB", 1);
    b.output("y");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    const Node& fc = node_named(*g, "fc");
    EXPECT_EQ(fc.op, Op::kGemm);
    EXPECT_FLOAT_EQ(fc.attr_float("alpha", 0), 0.5f);
    EXPECT_FLOAT_EQ(fc.attr_float("beta", 0), 1.0f);
    EXPECT_EQ(fc.attr_int("transA", -1), 0);
    EXPECT_EQ(fc.attr_int("transB", -1), trans_b);
    EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 5}));
  }
}

TEST(OnnxGemm, RefusesNon2dOperand) {
  OnnxBuilder b;
  b.input("a", kFloat, {1, 8, 1, 1}).weight("w", {8, 5});
  b.node("Gemm", {"a", "w"}, {"y"}, "fc");
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"node 'fc' (Gemm): input 0 'a' has shape [1,8,1,1]"}));
}

TEST(OnnxMatMul, BatchedShape) {
  OnnxBuilder b;
  b.input("a", kFloat, {2, 3, 4, 6}).weight("w", {6, 7});
  b.node("MatMul", {"a", "w"}, {"y"});
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->nodes[0].op, Op::kMatMul);
  EXPECT_EQ(g->nodes[0].name, "MatMul_0");
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{2, 3, 4, 7}));
}

TEST(OnnxElementwise, BinaryOpsBroadcastWithConstants) {
  const std::vector<std::pair<std::string, Op>> ops = {
      {"Add", Op::kAdd}, {"Sub", Op::kSub}, {"Mul", Op::kMul}, {"Div", Op::kDiv}};
  for (const auto& [name, op] : ops) {
    SCOPED_TRACE(name);
    OnnxBuilder b;
    b.input("x", kFloat, {-1, 3, 4, 4}).weight("k", {3, 1, 1});
    b.node(name, {"x", "k"}, {"y"}, "bin");
    b.node("Relu", {"y"}, {"z"}, "relu");
    b.output("z");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_EQ(node_named(*g, "bin").op, op);
    EXPECT_TRUE(g->is_constant(node_named(*g, "bin").inputs[1]));
    EXPECT_EQ(node_named(*g, "relu").op, Op::kRelu);
    EXPECT_EQ(value_named(*g, "z").shape, (Shape{kDynamicDim, 3, 4, 4}));
  }
}

TEST(OnnxElementwise, RefusesMixedTypes) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 3}).initializer<int64_t>("k", {}, {2});
  b.node("Mul", {"x", "k"}, {"y"}, "mul");
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"node 'mul' (Mul): operands 'x' (float32) and 'k' (int64)"}));
}

TEST(OnnxClip, ConstantBoundsAndAbsentMin) {
  OnnxBuilder b;
  b.input("x", kFloat, {4}).initializer<float>("hi", {}, {6.0f});
  b.node("Clip", {"x", "", "hi"}, {"y"}, "clip");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& clip = node_named(*g, "clip");
  ASSERT_EQ(clip.inputs.size(), 3u);
  EXPECT_EQ(clip.inputs[1], kNoValue);
  EXPECT_TRUE(g->is_constant(clip.inputs[2]));
}

TEST(OnnxClip, RefusesNonConstantBound) {
  OnnxBuilder b;
  b.input("x", kFloat, {4}).input("lo", kFloat, {});
  b.node("Clip", {"x", "lo"}, {"y"}, "clip");
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"node 'clip' (Clip): input 1 (min) 'lo' must be a constant"}));
}

TEST(OnnxIdentity, Imports) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 2});
  b.node("Identity", {"x"}, {"y"}, "id");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(node_named(*g, "id").op, Op::kIdentity);
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{2, 2}));
}

TEST(OnnxBatchNormalization, InferenceForm) {
  OnnxBuilder b;
  b.input("x", kFloat, {-1, 3, 4, 4});
  for (const char* name : {"s", "bias", "mean", "var"}) b.weight(name, {3});
  b.node("BatchNormalization", {"x", "s", "bias", "mean", "var"}, {"y"}, "bn").f("epsilon", 1e-3f).f("momentum", 0.9f);
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& bn = node_named(*g, "bn");
  EXPECT_FLOAT_EQ(bn.attr_float("epsilon", 0), 1e-3f);
  EXPECT_FALSE(bn.has_attr("momentum"));
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 3, 4, 4}));
}

TEST(OnnxBatchNormalization, RefusesTrainingMode) {
  for (int variant = 0; variant < 2; ++variant) {
    SCOPED_TRACE(variant == 0 ? "training outputs" : "training_mode=1");
    OnnxBuilder b(15);
    b.input("x", kFloat, {1, 3, 4, 4});
    for (const char* name : {"s", "bias", "mean", "var"}) b.weight(name, {3});
    std::vector<std::string> outputs = {"y"};
    if (variant == 0) outputs = {"y", "running_mean", "running_var"};
    auto n = b.node("BatchNormalization", {"x", "s", "bias", "mean", "var"}, outputs, "bn");
    if (variant == 1) n.i("training_mode", 1);
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"node 'bn' (BatchNormalization)",
                                          variant == 0 ? "has 3 outputs" : "'training_mode' = 1", "eval mode"}));
  }
}

TEST(OnnxSoftmax, AxisNormalised) {
  for (int64_t axis : {-1, -3, 0, 2}) {
    SCOPED_TRACE("axis=" + std::to_string(axis));
    OnnxBuilder b;
    b.input("x", kFloat, {2, 3, 5});
    b.node("Softmax", {"x"}, {"y"}, "sm").i("axis", axis);
    b.output("y");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_EQ(node_named(*g, "sm").attr_int("axis", -100), axis < 0 ? axis + 3 : axis);
  }
  OnnxBuilder b;
  b.input("x", kFloat, {2, 3, 5});
  b.node("Softmax", {"x"}, {"y"}, "sm").i("axis", 3);
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"node 'sm' (Softmax): attribute 'axis' = 3 is out of range for rank 3"}));
}

}  // namespace
}  // namespace qatrt::testing
