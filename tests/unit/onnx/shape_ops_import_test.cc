// Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Pad, Concat import: constant operands, axis
// normalisation, output shapes, refusals.
#include <gtest/gtest.h>

#include "onnx_builder.h"

namespace qatrt::testing {
namespace {

std::vector<int64_t> constant_ints(const Graph& g, ValueId id) {
  return g.is_constant(id) ? g.value(id).constant->to_int64_vector() : std::vector<int64_t>{-999};
}

TEST(OnnxFlatten, AxisSweep) {
  // axis → expected shape of [N,3,4,5]
  const std::vector<std::pair<int64_t, Shape>> cases = {
      {0, {1, kDynamicDim}}, {1, {kDynamicDim, 60}}, {3, {kDynamicDim, 5}}, {4, {kDynamicDim, 1}},
      {-1, {kDynamicDim, 5}}, {-3, {kDynamicDim, 60}}};
  for (const auto& [axis, shape] : cases) {
    SCOPED_TRACE("axis=" + std::to_string(axis));
    OnnxBuilder b;
    b.input("x", kFloat, {-1, 3, 4, 5});
    b.node("Flatten", {"x"}, {"y"}, "flat").i("axis", axis);
    b.output("y");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_EQ(node_named(*g, "flat").attr_int("axis", -100), axis < 0 ? axis + 4 : axis);
    EXPECT_EQ(value_named(*g, "y").shape, shape);
  }
}

TEST(OnnxReshape, ConstantShapeAndAllowZero) {
  OnnxBuilder b(14);
  b.input("x", kFloat, {-1, 2, 3, 4}).initializer<int64_t>("s", {3}, {0, -1, 4});
  b.node("Reshape", {"x", "s"}, {"y"}, "reshape");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& r = node_named(*g, "reshape");
  EXPECT_EQ(r.attr_int("allowzero", -1), 0);
  EXPECT_EQ(constant_ints(*g, r.inputs[1]), (std::vector<int64_t>{0, -1, 4}));
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 6, 4}));
}

TEST(OnnxReshape, Refusals) {
  {
    OnnxBuilder b;
    b.input("x", kFloat, {2, 3}).input("s", onnx::TensorProto::INT64, {2});
    b.node("Reshape", {"x", "s"}, {"y"}, "reshape");
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"node 'reshape' (Reshape): input 1 (shape) 's' must be a constant"}));
  }
  {
    OnnxBuilder b(14);
    b.input("x", kFloat, {2, 3}).initializer<int64_t>("s", {2}, {0, -1});
    b.node("Reshape", {"x", "s"}, {"y"}, "reshape").i("allowzero", 1);
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"shape [0,-1] mixes 0 and -1"}));
  }
}

TEST(OnnxTranspose, DefaultPermIsReversed) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 3, 4});
  b.node("Transpose", {"x"}, {"y"}, "t");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(node_named(*g, "t").attr_ints("perm"), (std::vector<int64_t>{2, 1, 0}));
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{4, 3, 2}));
}

TEST(OnnxTranspose, RefusesNonPermutation) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 3, 4});
  b.node("Transpose", {"x"}, {"y"}, "t").ints("perm", {0, 0, 1});
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"node 't' (Transpose): attribute 'perm' = [0,0,1]"}));
}

TEST(OnnxSqueeze, NegativeAxesNormalisedAndAbsentAxesMadeExplicit) {
  {
    OnnxBuilder b;
    b.input("x", kFloat, {-1, 3, 1, 1}).initializer<int64_t>("axes", {2}, {-1, -2});
    b.node("Squeeze", {"x", "axes"}, {"y"}, "sq");
    b.output("y");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_EQ(constant_ints(*g, node_named(*g, "sq").inputs[1]), (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 3}));
  }
  {
    OnnxBuilder b;
    b.input("x", kFloat, {1, 3, 1, 2});
    b.node("Squeeze", {"x"}, {"y"}, "sq");
    b.output("y");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_EQ(constant_ints(*g, node_named(*g, "sq").inputs[1]), (std::vector<int64_t>{0, 2}));
    EXPECT_EQ(value_named(*g, "y").shape, (Shape{3, 2}));
  }
  {
    OnnxBuilder b;
    b.input("x", kFloat, {-1, 3, 1});
    b.node("Squeeze", {"x"}, {"y"}, "sq");
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"node 'sq' (Squeeze): Squeeze without axes on input [N,3,1]"}));
  }
  {
    OnnxBuilder b;
    b.input("x", kFloat, {2, 3}).initializer<int64_t>("axes", {1}, {1});
    b.node("Squeeze", {"x", "axes"}, {"y"}, "sq");
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"cannot squeeze axis 1 of input [2,3]"}));
  }
}

TEST(OnnxUnsqueeze, AxesCountTheOutputRank) {
  // [2,3] with axes → normalised axes, output shape
  const std::vector<std::tuple<std::vector<int64_t>, std::vector<int64_t>, Shape>> cases = {
      {{0}, {0}, {1, 2, 3}}, {{-1}, {2}, {2, 3, 1}}, {{3, 0}, {3, 0}, {1, 2, 3, 1}}, {{-4, 1}, {0, 1}, {1, 1, 2, 3}}};
  for (const auto& [axes, normalised, shape] : cases) {
    SCOPED_TRACE("axes=" + shape_to_string(axes));
    OnnxBuilder b;
    b.input("x", kFloat, {2, 3}).initializer<int64_t>("axes", {static_cast<int64_t>(axes.size())}, axes);
    b.node("Unsqueeze", {"x", "axes"}, {"y"}, "unsq");
    b.output("y");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    EXPECT_EQ(constant_ints(*g, node_named(*g, "unsq").inputs[1]), normalised);
    EXPECT_EQ(value_named(*g, "y").shape, shape);
  }
  OnnxBuilder b;
  b.input("x", kFloat, {2, 3}).initializer<int64_t>("axes", {2}, {1, -3});
  b.node("Unsqueeze", {"x", "axes"}, {"y"}, "unsq");
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"node 'unsq' (Unsqueeze): axes [1,1] repeats an axis"}));
}

TEST(OnnxPad, ConstantModeWithValue) {
  OnnxBuilder b;
  b.input("x", kFloat, {1, 2, 3, 3})
      .initializer<int64_t>("pads", {8}, {0, 0, 1, 2, 0, 0, 3, 4})
      .initializer<float>("v", {}, {0.5f});
  b.node("Pad", {"x", "pads", "v"}, {"y"}, "pad");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& pad = node_named(*g, "pad");
  EXPECT_EQ(pad.attr_string("mode", ""), "constant");
  EXPECT_EQ(pad.inputs.size(), 3u);
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{1, 2, 7, 9}));
}

TEST(OnnxPad, Refusals) {
  struct Case {
    std::string what;
    std::vector<int64_t> pads;
    std::string mode;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"reflect", {0, 0, 1, 1, 0, 0, 1, 1}, "reflect", "attribute 'mode' = 'reflect' is not supported"},
      {"edge", {0, 0, 1, 1, 0, 0, 1, 1}, "edge", "attribute 'mode' = 'edge' is not supported"},
      {"length", {1, 1}, "constant", "pads [1,1] must have 8 values"},
      {"negative", {0, 0, -1, 0, 0, 0, 0, 0}, "constant",
       "pads [0,0,-1,0,0,0,0,0] has negative values (cropping)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    OnnxBuilder b;
    b.input("x", kFloat, {1, 2, 3, 3}).initializer<int64_t>("pads", {static_cast<int64_t>(c.pads.size())}, c.pads);
    b.node("Pad", {"x", "pads"}, {"y"}, "pad").s("mode", c.mode);
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"node 'pad' (Pad): " + c.expected}));
  }
}

TEST(OnnxConcat, NegativeAxisAndMismatch) {
  OnnxBuilder b;
  b.input("a", kFloat, {-1, 2, 4}).input("b", kFloat, {-1, 3, 4});
  b.node("Concat", {"a", "b"}, {"y"}, "cat").i("axis", -2);
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(node_named(*g, "cat").attr_int("axis", -100), 1);
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 5, 4}));

  OnnxBuilder bad;
  bad.input("a", kFloat, {2, 4}).input("b", kFloat, {2, 3, 4});
  bad.node("Concat", {"a", "b"}, {"y"}, "cat").i("axis", 0);
  bad.output("y");
  auto g2 = bad.import();
  ASSERT_FALSE(g2.ok());
  EXPECT_NE(g2.status().message().find("node 'cat' (Concat): input 1 'b' float32[2,3,4] does not match"),
            std::string::npos)
      << g2.status().message();
}

}  // namespace
}  // namespace qatrt::testing
