// QuantizeLinear / DequantizeLinear import: scale and zero point become attributes, Value::quant on the Q
// output and on integer initializers / graph inputs read by a DQ, per-tensor and per-axis, int8 and uint8.
#include <gtest/gtest.h>

#include "onnx_builder.h"

namespace qatrt::testing {
namespace {

// x → Q → DQ → Conv(DQ(w int8 per-channel)) → y: the standard QDQ conv pattern.
OnnxBuilder qdq_conv_model(bool raw_weights) {
  OnnxBuilder b;
  b.input("x", kFloat, {-1, 2, 5, 5});
  b.initializer<float>("x_scale", {}, {0.05f}).initializer<uint8_t>("x_zp", {}, {128});
  b.initializer<int8_t>("w_q", {3, 2, 1, 1}, {1, -2, 3, -4, 5, -6}, raw_weights);
  b.initializer<float>("w_scale", {3}, {0.1f, 0.2f, 0.3f}).initializer<int8_t>("w_zp", {3}, {0, 0, 0});
  b.node("QuantizeLinear", {"x", "x_scale", "x_zp"}, {"x_q"}, "q");
  b.node("DequantizeLinear", {"x_q", "x_scale", "x_zp"}, {"x_dq"}, "dq");
  b.node("DequantizeLinear", {"w_q", "w_scale", "w_zp"}, {"w_dq"}, "w_dq").i("axis", 0);
  b.node("Conv", {"x_dq", "w_dq"}, {"y"}, "conv");
  b.output("y");
  return b;
}

TEST(OnnxQdq, ConvPatternAttributesAndQuant) {
  for (bool raw : {false, true}) {
    SCOPED_TRACE(raw ? "raw_data weights" : "int32_data weights");
    auto g = qdq_conv_model(raw).import();
    ASSERT_TRUE(g.ok()) << g.status().to_string();
    const Node& q = node_named(*g, "q");
    EXPECT_EQ(q.op, Op::kQuantizeLinear);
    EXPECT_EQ(q.inputs.size(), 1u);
    EXPECT_EQ(q.attr_floats("scale"), (std::vector<float>{0.05f}));
    EXPECT_EQ(q.attr_ints("zero_point"), (std::vector<int64_t>{128}));
    EXPECT_EQ(q.attr_int("axis", -1), 1);
    EXPECT_EQ(q.attr_int("output_dtype", -1), static_cast<int64_t>(DType::kUInt8));
    const Value& x_q = value_named(*g, "x_q");
    EXPECT_EQ(x_q.dtype, DType::kUInt8);
    ASSERT_TRUE(x_q.quant.has_value());
    EXPECT_EQ(*x_q.quant, (QuantParams{{0.05f}, {128}, 1}));

    const Node& w_dq = node_named(*g, "w_dq");
    EXPECT_EQ(w_dq.inputs.size(), 1u);
    EXPECT_EQ(w_dq.attr_floats("scale"), (std::vector<float>{0.1f, 0.2f, 0.3f}));
    EXPECT_EQ(w_dq.attr_ints("zero_point"), (std::vector<int64_t>{0, 0, 0}));
    EXPECT_EQ(w_dq.attr_int("axis", -1), 0);
    EXPECT_FALSE(w_dq.has_attr("output_dtype"));
    const Value& w_q = value_named(*g, "w_q");
    EXPECT_EQ(w_q.dtype, DType::kInt8);
    ASSERT_TRUE(w_q.constant.has_value());
    EXPECT_EQ(w_q.constant->to_int64_vector(), (std::vector<int64_t>{1, -2, 3, -4, 5, -6}));
    ASSERT_TRUE(w_q.quant.has_value());
    EXPECT_EQ(*w_q.quant, (QuantParams{{0.1f, 0.2f, 0.3f}, {0, 0, 0}, 0}));
    EXPECT_EQ(value_named(*g, "w_dq").dtype, DType::kFloat32);
    EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 3, 5, 5}));
  }
}

TEST(OnnxQdq, ZeroPointAbsentMeansUint8Zero) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 4}).initializer<float>("s", {}, {0.5f});
  b.node("QuantizeLinear", {"x", "s"}, {"y"}, "q");
  b.output("y", onnx::TensorProto::UINT8);
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(node_named(*g, "q").attr_ints("zero_point"), (std::vector<int64_t>{0}));
  EXPECT_EQ(value_named(*g, "y").dtype, DType::kUInt8);
}

TEST(OnnxQdq, PerAxisNegativeAxisOnInt8GraphInput) {
  OnnxBuilder b;
  b.input("xq", onnx::TensorProto::INT8, {-1, 4, 3});
  b.initializer<float>("s", {3}, {1.0f, 2.0f, 4.0f}).initializer<int8_t>("zp", {3}, {-1, 0, 1});
  b.node("DequantizeLinear", {"xq", "s", "zp"}, {"y"}, "dq").i("axis", -1);
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(node_named(*g, "dq").attr_int("axis", -100), 2);
  const Value& xq = value_named(*g, "xq");
  ASSERT_TRUE(xq.quant.has_value());
  EXPECT_EQ(*xq.quant, (QuantParams{{1.0f, 2.0f, 4.0f}, {-1, 0, 1}, 2}));
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 4, 3}));
}

TEST(OnnxQdq, ConstantNodeScalesAreFolded) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 4});
  b.node("Constant", {}, {"s"}, "s_const").tensor("value", make_tensor<float>("", {}, {0.25f}));
  b.node("Constant", {}, {"zp"}, "zp_const").tensor("value", make_tensor<int8_t>("", {}, {3}));
  b.node("QuantizeLinear", {"x", "s", "zp"}, {"y"}, "q");
  b.output("y", onnx::TensorProto::INT8);
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  ASSERT_EQ(g->nodes.size(), 1u);
  EXPECT_EQ(g->nodes[0].attr_floats("scale"), (std::vector<float>{0.25f}));
  EXPECT_EQ(g->nodes[0].attr_ints("zero_point"), (std::vector<int64_t>{3}));
  EXPECT_EQ(value_named(*g, "y").dtype, DType::kInt8);
}

TEST(OnnxQdq, Int32BiasDequantizes) {
  OnnxBuilder b;
  b.initializer<int32_t>("bias_q", {3}, {100, -200, 300}).initializer<float>("s", {}, {0.001f});
  b.node("DequantizeLinear", {"bias_q", "s"}, {"bias"}, "dq_bias");
  b.output("bias");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Node& dq = node_named(*g, "dq_bias");
  EXPECT_EQ(dq.inputs.size(), 1u);
  EXPECT_EQ(dq.attr_ints("zero_point"), (std::vector<int64_t>{0}));
  EXPECT_FALSE(value_named(*g, "bias_q").quant.has_value());
  EXPECT_EQ(value_named(*g, "bias").dtype, DType::kFloat32);
}

TEST(OnnxQdq, Refusals) {
  struct Case {
    std::string what;
    std::function<void(OnnxBuilder&)> build;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"non-constant scale",
       [](OnnxBuilder& b) {
         b.input("x", kFloat, {2, 4}).input("s", kFloat, {});
         b.node("QuantizeLinear", {"x", "s"}, {"y"}, "q1");
       },
       "node 'q1' (QuantizeLinear): input 1 (scale) 's' must be a constant initializer"},
      {"non-constant zero point",
       [](OnnxBuilder& b) {
         b.input("x", kFloat, {2, 4}).input("zp", onnx::TensorProto::UINT8, {}).initializer<float>("s", {}, {1.0f});
         b.node("QuantizeLinear", {"x", "s", "zp"}, {"y"}, "q1");
       },
       "node 'q1' (QuantizeLinear): input 2 (zero_point) 'zp' must be a constant initializer"},
      {"zero scale",
       [](OnnxBuilder& b) {
         b.input("x", kFloat, {2, 4}).initializer<float>("s", {}, {0.0f});
         b.node("QuantizeLinear", {"x", "s"}, {"y"}, "q1");
       },
       "node 'q1' (QuantizeLinear): scale 's' holds 0"},
      {"int32 zero point",
       [](OnnxBuilder& b) {
         b.input("x", kFloat, {2, 4}).initializer<float>("s", {}, {1.0f}).initializer<int32_t>("zp", {}, {0});
         b.node("QuantizeLinear", {"x", "s", "zp"}, {"y"}, "q1");
       },
       "node 'q1' (QuantizeLinear): zero_point 'zp' is int32"},
      {"int32 dequantize with a zero point",
       [](OnnxBuilder& b) {
         b.initializer<int32_t>("bias", {2}, {1, 2}).initializer<float>("s", {}, {1.0f});
         b.initializer<int32_t>("zp", {}, {3});
         b.node("DequantizeLinear", {"bias", "s", "zp"}, {"y"}, "dq1");
       },
       "node 'dq1' (DequantizeLinear): int32 input 'bias' has zero point [3]"},
      {"int32 data with a uint8 zero point",
       [](OnnxBuilder& b) {
         b.input("x", onnx::TensorProto::INT32, {2}).initializer<float>("s", {}, {1.0f});
         b.initializer<uint8_t>("zp", {}, {0});
         b.node("DequantizeLinear", {"x", "s", "zp"}, {"y"}, "dq1");
       },
       "node 'dq1' (DequantizeLinear): zero_point is uint8 but input 'x' is int32"},
      {"per-axis length",
       [](OnnxBuilder& b) {
         b.input("x", kFloat, {2, 4}).initializer<float>("s", {3}, {1, 1, 1});
         b.node("QuantizeLinear", {"x", "s"}, {"y"}, "q1");
       },
       "node 'q1' (QuantizeLinear): scale has 3 values but axis 1 of 'x' [2,4] has 4"},
      {"zero point type differs from data",
       [](OnnxBuilder& b) {
         b.input("x", onnx::TensorProto::INT8, {2, 4}).initializer<float>("s", {}, {1.0f});
         b.initializer<uint8_t>("zp", {}, {0});
         b.node("DequantizeLinear", {"x", "s", "zp"}, {"y"}, "dq1");
       },
       "node 'dq1' (DequantizeLinear): zero_point is uint8 but input 'x' is int8"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    OnnxBuilder b;
    c.build(b);
    b.output("y");
    EXPECT_TRUE(refused_with(b.import(), {c.expected}));
  }
}

}  // namespace
}  // namespace qatrt::testing
