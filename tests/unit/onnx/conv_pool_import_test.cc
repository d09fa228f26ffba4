// Conv / MaxPool / AveragePool / GlobalAveragePool import: attributes written out with defaults, auto_pad
// resolved to explicit pads, output shapes, and refusals.
#include <gtest/gtest.h>

#include "onnx_builder.h"

namespace qatrt::testing {
namespace {

TEST(OnnxConv, DefaultsAreWrittenOut) {
  OnnxBuilder b;
  b.input("x", kFloat, {-1, 3, 8, 8}).weight("w", {4, 3, 3, 3}).weight("bias", {4});
  b.node("Conv", {"x", "w", "bias"}, {"y"}, "conv");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& conv = node_named(*g, "conv");
  EXPECT_EQ(conv.op, Op::kConv);
  EXPECT_EQ(conv.attr_ints("kernel_shape"), (std::vector<int64_t>{3, 3}));
  EXPECT_EQ(conv.attr_ints("strides"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(conv.attr_ints("dilations"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(conv.attr_ints("pads"), (std::vector<int64_t>{0, 0, 0, 0}));
  EXPECT_EQ(conv.attr_int("group", -1), 1);
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 4, 6, 6}));
  EXPECT_EQ(g->inputs.size(), 1u);
  EXPECT_TRUE(g->is_constant(conv.inputs[1]));
}

TEST(OnnxConv, GroupStridesDilationsPads) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 4, 11, 9}).weight("w", {8, 2, 3, 3});
  b.node("Conv", {"x", "w"}, {"y"}, "conv")
      .i("group", 2)
      .ints("strides", {2, 1})
      .ints("dilations", {1, 2})
      .ints("pads", {1, 0, 1, 2});
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& conv = node_named(*g, "conv");
  EXPECT_EQ(conv.attr_int("group", -1), 2);
  EXPECT_EQ(conv.attr_ints("strides"), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(conv.attr_ints("dilations"), (std::vector<int64_t>{1, 2}));
  EXPECT_EQ(conv.attr_ints("pads"), (std::vector<int64_t>{1, 0, 1, 2}));
  // H: (11 + 2 - 3) / 2 + 1 = 6; W: (9 + 2 - 5) / 1 + 1 = 7
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{2, 8, 6, 7}));
}

// auto_pad sweep: (input, kernel, stride, auto_pad) → explicit pads and output size, ONNX's formulas.
struct AutoPadCase {
  int64_t in, kernel, stride;
  std::string auto_pad;
  std::vector<int64_t> pads;  // begin, end (one spatial dim, the other is unpadded 1×1)
  int64_t out;
};

TEST(OnnxConv, AutoPadBecomesExplicitPads) {
  const std::vector<AutoPadCase> cases = {
      {8, 3, 1, "SAME_UPPER", {1, 1}, 8}, {8, 3, 2, "SAME_UPPER", {0, 1}, 4}, {8, 3, 2, "SAME_LOWER", {1, 0}, 4},
      {7, 4, 1, "SAME_UPPER", {1, 2}, 7}, {7, 4, 1, "SAME_LOWER", {2, 1}, 7}, {8, 3, 2, "VALID", {0, 0}, 3},
      {5, 1, 1, "NOTSET", {0, 0}, 5},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("in=" + std::to_string(c.in) + " kernel=" + std::to_string(c.kernel) +
                 " stride=" + std::to_string(c.stride) + " auto_pad=" + c.auto_pad);
    OnnxBuilder b;
    b.input("x", kFloat, {1, 1, c.in, 5}).weight("w", {1, 1, c.kernel, 1});
    b.node("Conv", {"x", "w"}, {"y"}, "conv").s("auto_pad", c.auto_pad).ints("strides", {c.stride, 1});
    b.output("y");
    auto g = b.import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    const Node& conv = node_named(*g, "conv");
    EXPECT_EQ(conv.attr_ints("pads"), (std::vector<int64_t>{c.pads[0], 0, c.pads[1], 0}));
    EXPECT_EQ(conv.attr_string("auto_pad", "NOTSET"), "NOTSET");
    EXPECT_EQ(value_named(*g, "y").shape, (Shape{1, 1, c.out, 5}));
  }
}

TEST(OnnxConv, RefusesBadAttributes) {
  struct Case {
    std::string what, attr;
    std::function<void(NodeAttrs&)> set;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"auto_pad FOO", "auto_pad", [](auto& n) { n.s("auto_pad", "FOO"); }, "'auto_pad' = 'FOO'"},
      {"kernel mismatch", "kernel_shape", [](auto& n) { n.ints("kernel_shape", {5, 5}); }, "kernel_shape [5,5]"},
      {"zero stride", "strides", [](auto& n) { n.ints("strides", {0, 1}); }, "'strides' = [0,1]"},
      {"pads length", "pads", [](auto& n) { n.ints("pads", {1, 1}); }, "'pads' has 2 values"},
      {"negative pads", "pads", [](auto& n) { n.ints("pads", {-1, 0, 0, 0}); }, "[-1,0,0,0]"},
      {"pads with auto_pad", "pads",
       [](auto& n) { n.s("auto_pad", "SAME_UPPER").ints("pads", {1, 1, 1, 1}); }, "both set"},
      {"unknown attribute", "foo", [](auto& n) { n.i("foo", 1); }, "attribute 'foo' is not supported"},
      {"wrong attribute type", "group", [](auto& n) { n.f("group", 1.0f); }, "'group' has type FLOAT"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    OnnxBuilder b;
    b.input("x", kFloat, {1, 3, 8, 8}).weight("w", {4, 3, 3, 3});
    auto node = b.node("Conv", {"x", "w"}, {"y"}, "conv1");
    c.set(node);
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"node 'conv1' (Conv)", c.expected}));
  }
}

TEST(OnnxMaxPool, AttributesAndShape) {
  OnnxBuilder b;
  b.input("x", kFloat, {-1, 2, 7, 7});
  b.node("MaxPool", {"x"}, {"y"}, "pool")
      .ints("kernel_shape", {3, 3})
      .ints("strides", {2, 2})
      .ints("pads", {1, 1, 1, 1})
      .i("ceil_mode", 1);
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& pool = node_named(*g, "pool");
  EXPECT_EQ(pool.op, Op::kMaxPool);
  EXPECT_EQ(pool.attr_int("ceil_mode", -1), 1);
  EXPECT_EQ(pool.attr_ints("dilations"), (std::vector<int64_t>{1, 1}));
  EXPECT_EQ(pool.attr_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
  // ceil((7 + 2 - 3) / 2) + 1 = 4
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 2, 4, 4}));
}

TEST(OnnxMaxPool, RefusesIndicesStorageOrderAndMissingKernel) {
  {
    OnnxBuilder b;
    b.input("x", kFloat, {1, 2, 4, 4});
    b.node("MaxPool", {"x"}, {"y", "idx"}, "pool").ints("kernel_shape", {2, 2});
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"node 'pool' (MaxPool): has 2 outputs", "Indices"}));
  }
  {
    OnnxBuilder b;
    b.input("x", kFloat, {1, 2, 4, 4});
    b.node("MaxPool", {"x"}, {"y"}, "pool").ints("kernel_shape", {2, 2}).i("storage_order", 1);
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"node 'pool' (MaxPool): attribute 'storage_order' = 1"}));
  }
  {
    OnnxBuilder b;
    b.input("x", kFloat, {1, 2, 4, 4});
    b.node("MaxPool", {"x"}, {"y"}, "pool");
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {"'kernel_shape' is required"}));
  }
}

TEST(OnnxAveragePool, CountIncludePadAndSameLower) {
  OnnxBuilder b;
  b.input("x", kFloat, {1, 3, 6, 6});
  b.node("AveragePool", {"x"}, {"y"}, "avg")
      .ints("kernel_shape", {2, 2})
      .s("auto_pad", "SAME_LOWER")
      .i("count_include_pad", 1);
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& avg = node_named(*g, "avg");
  EXPECT_EQ(avg.attr_int("count_include_pad", -1), 1);
  EXPECT_EQ(avg.attr_int("ceil_mode", -1), 0);
  EXPECT_FALSE(avg.has_attr("dilations"));
  EXPECT_EQ(avg.attr_ints("pads"), (std::vector<int64_t>{1, 1, 0, 0}));
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{1, 3, 6, 6}));
}

TEST(OnnxAveragePool, RefusesDilation) {
  OnnxBuilder b;
  b.input("x", kFloat, {1, 3, 6, 6});
  b.node("AveragePool", {"x"}, {"y"}, "avg").ints("kernel_shape", {2, 2}).ints("dilations", {2, 2});
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"node 'avg' (AveragePool): attribute 'dilations' = [2,2]"}));
}

TEST(OnnxGlobalAveragePool, Shape) {
  OnnxBuilder b;
  b.input("x", kFloat, {-1, 16, 7, 5});
  b.node("GlobalAveragePool", {"x"}, {"y"});
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->nodes[0].op, Op::kGlobalAveragePool);
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 16, 1, 1}));
}

}  // namespace
}  // namespace qatrt::testing
