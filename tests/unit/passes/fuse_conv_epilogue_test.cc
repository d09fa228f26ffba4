#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

// Power-of-two scales: the unfused float graph is exact, so the fused int32 path must match it bit for bit.
const QuantParams kX8 = per_tensor(0.0625f, 0);
const QuantParams kXu8 = per_tensor(0.0625f, 128);
const QuantParams kResidual = per_tensor(0.125f, 1);
const QuantParams kOut = per_tensor(0.25f, -3);

enum class Residual { kNone, kInt8, kFloat };

struct ConvCase {
  bool uint8_input;
  bool per_channel;
  bool bias;
  Residual residual;
  bool relu;
  bool quantized_output;
  int geometry;  // 0: 3x3 pad 1; 1: 3x3 stride 2, group 2; 2: 3x3 dilation 2, pad 2

  std::string describe() const {
    const char* residuals[] = {"none", "int8", "float"};
    return std::string("input ") + (uint8_input ? "uint8 z=128" : "int8 z=0") +
           ", weight " + (per_channel ? "per-channel" : "per-tensor") + ", bias=" + std::to_string(bias) +
           ", residual=" + residuals[static_cast<int>(residual)] + ", relu=" + std::to_string(relu) +
           ", Q output=" + std::to_string(quantized_output) + ", geometry=" + std::to_string(geometry);
  }
};

std::map<std::string, AttrValue> geometry_attrs(int geometry) {
  using V = std::vector<int64_t>;
  switch (geometry) {
    case 1: return {{"strides", V{2, 2}}, {"group", int64_t{2}}};
    case 2: return {{"dilations", V{2, 2}}, {"pads", V{2, 2, 2, 2}}};
    default: return {{"pads", V{1, 1, 1, 1}}};
  }
}

Graph build(const ConvCase& c, GraphBuilder& b) {
  const QuantParams xq = c.uint8_input ? kXu8 : kX8;
  const DType xt = c.uint8_input ? DType::kUInt8 : DType::kInt8;
  const int64_t group = c.geometry == 1 ? 2 : 1;
  ValueId x = b.dequantize(b.quantize(b.input("x", {2, 4, 7, 7}), xq, xt, "x_q"), xq, "x_dq");
  QuantParams wq = c.per_channel ? per_axis({0.0078125f, 0.015625f, 0.03125f, 0.0078125f}, 0) : per_tensor(0.015625f);
  ValueId w = b.weight("w", {4, 4 / group, 3, 3}, wq);
  ValueId bias = c.bias ? b.float_constant("bias", {4}, -4, 4, 0.015625f) : kNoValue;
  ValueId y = b.conv("conv", x, w, bias, geometry_attrs(c.geometry));
  if (c.residual != Residual::kNone) {
    ValueId r = b.input("r", b.shape_of(y));
    if (c.residual == Residual::kInt8) r = b.dequantize(b.quantize(r, kResidual, DType::kInt8, "r_q"), kResidual, "r_dq");
    y = b.node(Op::kAdd, "add", {y, r});
  }
  if (c.relu) y = b.node(Op::kRelu, "relu", {y});
  if (c.quantized_output) y = b.dequantize(b.quantize(y, kOut, DType::kInt8, "out_q"), kOut, "out_dq");
  b.output(y);
  return b.finish();
}

TEST(FuseConvEpilogue, QuantizedSweepFusesEverythingAndMatchesExactly) {
  int cases = 0;
  for (bool uint8_input : {false, true})
    for (bool per_channel : {false, true})
      for (bool bias : {false, true})
        for (Residual residual : {Residual::kNone, Residual::kInt8, Residual::kFloat})
          for (bool relu : {false, true})
            for (bool quantized_output : {false, true})
              for (int geometry : {0, 1, 2}) {
                ConvCase c{uint8_input, per_channel, bias, residual, relu, quantized_output, geometry};
                SCOPED_TRACE(c.describe());
                GraphBuilder b(static_cast<uint32_t>(++cases));
                Graph before = build(c, b);
                Graph after = before;
                ASSERT_TRUE(apply_pass(after, fuse_conv_epilogue).ok());
                after.remove_dead_nodes();
                ASSERT_EQ(count_ops(after, Op::kQConv), 1) << dump(after);
                EXPECT_EQ(count_ops(after, Op::kConv), 0);
                EXPECT_EQ(count_ops(after, Op::kAdd), 0);
                EXPECT_EQ(count_ops(after, Op::kRelu), 0);
                const Node& qconv = *find_op(after, Op::kQConv);
                EXPECT_EQ(qconv.attr_int("relu", -1), relu ? 1 : 0);
                EXPECT_EQ(qconv.precision, Precision::kInt8);
                EXPECT_EQ(after.value(qconv.inputs[0]).dtype, uint8_input ? DType::kUInt8 : DType::kInt8);
                EXPECT_EQ(after.value(qconv.inputs[1]).dtype, DType::kInt8);
                if (residual != Residual::kNone) {
                  ASSERT_EQ(qconv.inputs.size(), 4u);
                  EXPECT_EQ(after.value(qconv.inputs[3]).dtype,
                            residual == Residual::kInt8 ? DType::kInt8 : DType::kFloat32);
                }
                const Value& out = after.value(qconv.outputs[0]);
                EXPECT_EQ(out.dtype, quantized_output ? DType::kInt8 : DType::kFloat32);
                if (quantized_output) {
                  EXPECT_EQ(out.quant, kOut);
                }
                // Only Q(x), Q(r) and the final DQ are left around the QConv.
                EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), quantized_output ? 1 : 0);
                expect_equivalent(before, after, /*exact=*/true, c.describe(), 2);
                if (HasFailure()) return;
              }
}

TEST(FuseConvEpilogue, RecordsWhatItFused) {
  ConvCase c{false, true, true, Residual::kInt8, true, true, 0};
  GraphBuilder b;
  Graph g = build(c, b);
  ASSERT_TRUE(apply_pass(g, fuse_conv_epilogue).ok());
  const Node& qconv = *find_op(g, Op::kQConv);
  EXPECT_EQ(qconv.precision_reason, "fused DQ→Conv→Add(int8 residual)→Relu→Q");
  EXPECT_EQ(qconv.fused_from,
            (std::vector<std::string>{"x_dq", "w_dq", "conv", "add", "r_dq", "relu", "out_q"}));
}

TEST(FuseConvEpilogue, Int32BiasBehindADqIsDequantizedOnce) {
  // ONNX Runtime's quantizer writes the bias as int32 with scale s_x·s_w[k].
  GraphBuilder b;
  ValueId x = b.dequantize(b.quantize(b.input("x", {1, 2, 4, 4}), kX8), kX8);
  QuantParams wq = per_axis({0.0078125f, 0.015625f, 0.03125f}, 0);
  QuantParams bq = per_axis({0.0625f * 0.0078125f, 0.0625f * 0.015625f, 0.0625f * 0.03125f}, 0);
  ValueId bias = b.dequantize(b.constant("b", Tensor::from_vector<int32_t>({3}, {-300, 17, 4000}), bq), bq);
  b.output(b.conv("conv", x, b.weight("w", {3, 2, 3, 3}, wq), bias, geometry_attrs(0)));
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, fuse_conv_epilogue).ok());
  after.remove_dead_nodes();
  ASSERT_EQ(count_ops(after, Op::kQConv), 1) << dump(after);
  EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 0);
  const Value& folded = after.value(find_op(after, Op::kQConv)->inputs[2]);
  ASSERT_TRUE(folded.constant.has_value());
  EXPECT_EQ(folded.constant->to_float_vector(), (std::vector<float>{-300 * 0.0625f * 0.0078125f, 17 * 0.0625f * 0.015625f,
                                                                    4000 * 0.0625f * 0.03125f}));
  expect_equivalent(before, after, true, "int32 bias");
}

TEST(FuseConvEpilogue, RealisticScalesStayWithinOneQuantizationStep) {
  // Non power-of-two scales: the float graph rounds differently from the int32 path, so float outputs agree
  // to a relative tolerance and quantized outputs to one step.
  GraphBuilder b;
  QuantParams xq = per_tensor(0.0371f, 5), outq = per_tensor(0.0913f, -7);
  ValueId x = b.dequantize(b.quantize(b.input("x", {1, 8, 9, 9}), xq), xq);
  std::vector<float> scales;
  for (int k = 0; k < 6; ++k) scales.push_back(0.0031f * static_cast<float>(k + 1));
  ValueId y = b.conv("conv", x, b.weight("w", {6, 8, 3, 3}, per_axis(scales, 0)), b.float_constant("b", {6}, -1, 1),
                     geometry_attrs(0));
  ValueId relu = b.node(Op::kRelu, "relu", {y});
  b.output(relu);  // float output, read twice: the Q cannot be fused
  b.output(b.dequantize(b.quantize(relu, outq), outq));
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, fuse_conv_epilogue).ok());
  ASSERT_EQ(count_ops(after, Op::kQConv), 1) << dump(after);
  EXPECT_NE(find_op(after, Op::kQConv)->precision_reason.find("output read by 2 consumers"), std::string::npos);
  std::mt19937 rng(7);
  for (int draw = 0; draw < 3; ++draw) {
    auto inputs = random_inputs(before, rng);
    auto expected = run_reference(before, inputs);
    auto actual = run_reference(after, inputs);
    ASSERT_TRUE(expected.ok() && actual.ok()) << expected.status().to_string() << actual.status().to_string();
    EXPECT_TRUE(close_tensors((*expected)[0], (*actual)[0], 1e-4, 1.0));
    // Output 1 is DQ(Q(y)): values differ by at most one step of outq.
    for (int64_t i = 0; i < (*expected)[1].numel(); ++i)
      ASSERT_LE(std::fabs((*expected)[1].as_double(i) - (*actual)[1].as_double(i)), 0.0913 * 1.001) << i;
  }
}

TEST(FuseConvEpilogue, FusesLessWhenAnIntermediateIsShared) {
  struct Case {
    std::string name;
    bool conv_output_shared;  // else the Relu's output is shared
  };
  for (Case c : {Case{"conv output also a graph output", true}, Case{"relu output read twice", false}}) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    ValueId x = b.dequantize(b.quantize(b.input("x", {1, 4, 5, 5}), kX8), kX8);
    ValueId y = b.conv("conv", x, b.weight("w", {4, 4, 1, 1}, per_tensor(0.0078125f)));
    ValueId relu = b.node(Op::kRelu, "relu", {y});
    b.output(b.dequantize(b.quantize(relu, kOut), kOut));
    b.output(c.conv_output_shared ? y : relu);
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, fuse_conv_epilogue).ok());
    after.remove_dead_nodes();
    SCOPED_TRACE(dump(after));
    const Node* qconv = find_op(after, Op::kQConv);
    ASSERT_NE(qconv, nullptr);
    EXPECT_EQ(qconv->attr_int("relu", -1), c.conv_output_shared ? 0 : 1);
    EXPECT_EQ(after.value(qconv->outputs[0]).dtype, DType::kFloat32);
    EXPECT_EQ(count_ops(after, Op::kRelu), c.conv_output_shared ? 1 : 0);
    EXPECT_EQ(count_ops(after, Op::kQuantizeLinear), 2);
    expect_equivalent(before, after, true, c.name);
  }
}

TEST(FuseConvEpilogue, DoesNotQuantizeWhenAnOperandDoesNotQualify) {
  struct Case {
    std::string name;
    std::function<Graph(GraphBuilder&)> build;
    std::string reason;
  };
  auto x_dq = [](GraphBuilder& b, QuantParams q = kX8, QuantParams dq = kX8) {
    return b.dequantize(b.quantize(b.input("x", {1, 4, 5, 5}), q), dq);
  };
  const Case cases[] = {
      {"per-tensor weight with zero point 3",
       [&](GraphBuilder& b) {
         b.output(b.conv("conv", x_dq(b), b.weight("w", {2, 4, 1, 1}, per_tensor(0.25f, 3))));
         return b.finish();
       },
       "weight zero point ≠ 0"},
      {"activation DQ params differ from the value's quant",
       [&](GraphBuilder& b) {
         b.output(b.conv("conv", x_dq(b, kX8, per_tensor(0.125f)), b.weight("w", {2, 4, 1, 1}, per_tensor(0.25f))));
         return b.finish();
       },
       "input DQ parameters differ"},
      {"weight per-axis along the input channels",
       [&](GraphBuilder& b) {
         b.output(b.conv("conv", x_dq(b), b.weight("w", {2, 4, 1, 1}, per_axis({0.5f, 0.25f, 0.5f, 0.25f}, 1))));
         return b.finish();
       },
       "not per-channel-quantized"},
      {"activation quantized per-axis",
       [&](GraphBuilder& b) {
         QuantParams p = per_axis({0.5f, 0.25f, 0.5f, 0.25f}, 1);
         b.output(b.conv("conv", x_dq(b, p, p), b.weight("w", {2, 4, 1, 1}, per_tensor(0.25f))));
         return b.finish();
       },
       "per-axis"},
      {"uint8 weight",
       [&](GraphBuilder& b) {
         QuantParams wq = per_tensor(0.25f, 0);
         ValueId w = b.dequantize(b.int_constant("w", {2, 4, 1, 1}, DType::kUInt8, wq, 0, 255), wq);
         b.output(b.conv("conv", x_dq(b), w));
         return b.finish();
       },
       "uint8"},
      {"float input",
       [&](GraphBuilder& b) {
         b.output(b.conv("conv", b.input("x", {1, 4, 5, 5}), b.weight("w", {2, 4, 1, 1}, per_tensor(0.25f))));
         return b.finish();
       },
       "no DQ before it"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    Graph before = c.build(b);
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, fuse_conv_epilogue).ok());
    EXPECT_EQ(count_ops(after, Op::kQConv), 0) << dump(after);
    EXPECT_EQ(count_ops(after, Op::kFusedConv), 0) << "the weight must not be dequantized back to float";
    EXPECT_EQ(count_ops(after, Op::kConv), 1);
    // assign_precision explains it.
    ASSERT_TRUE(apply_pass(after, [](Graph& g, PassContext& ctx) {
                  return assign_precision(g, ctx, PrecisionMode::kInt8);
                }).ok());
    const Node* conv = find_op(after, Op::kConv);
    EXPECT_EQ(conv->precision, Precision::kFloat32);
    EXPECT_NE(conv->precision_reason.find(c.reason), std::string::npos) << conv->precision_reason;
  }
}

TEST(FuseConvEpilogue, BroadcastResidualAndReluBeforeAddAreNotAbsorbed) {
  GraphBuilder b;
  ValueId x = b.dequantize(b.quantize(b.input("x", {1, 4, 5, 5}), kX8), kX8);
  ValueId y1 = b.conv("conv1", x, b.weight("w1", {4, 4, 1, 1}, per_tensor(0.0078125f)));
  b.output(b.node(Op::kAdd, "broadcast_add", {y1, b.float_constant("c", {4, 1, 1}, -1, 1, 0.125f)}));
  ValueId y2 = b.conv("conv2", x, b.weight("w2", {4, 4, 1, 1}, per_tensor(0.0078125f)));
  b.output(b.node(Op::kAdd, "add_after_relu", {b.node(Op::kRelu, "relu", {y2}), b.input("r", {1, 4, 5, 5})}));
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, fuse_conv_epilogue).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kQConv), 2);
  EXPECT_EQ(count_ops(after, Op::kAdd), 2);
  EXPECT_EQ(count_ops(after, Op::kRelu), 0);
  expect_equivalent(before, after, true, "not absorbed");
}

TEST(FuseConvEpilogue, FloatConvWithBiasResidualAndRelu) {
  for (bool residual : {false, true}) {
    GraphBuilder b;
    ValueId x = b.input("x", {1, 3, 6, 6});
    ValueId y = b.conv("conv", x, b.float_constant("w", {5, 3, 3, 3}, -1, 1), b.float_constant("b", {5}, -1, 1),
                       {{"strides", std::vector<int64_t>{2, 2}}, {"pads", std::vector<int64_t>{1, 0, 1, 0}}});
    if (residual) y = b.node(Op::kAdd, "add", {b.input("r", b.shape_of(y)), y});
    b.output(b.node(Op::kRelu, "relu", {y}));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, fuse_conv_epilogue).ok());
    ASSERT_EQ(after.nodes.size(), 1u) << dump(after);
    const Node& fused = after.nodes[0];
    EXPECT_EQ(fused.op, Op::kFusedConv);
    EXPECT_EQ(fused.attr_int("relu", 0), 1);
    EXPECT_EQ(fused.inputs.size(), residual ? 4u : 3u);
    EXPECT_EQ(fused.precision, Precision::kFloat32);
    EXPECT_EQ(fused.precision_reason, std::string("input not quantized: no DQ before it; fused Conv") +
                                          (residual ? "→Add→Relu" : "→Relu"));
    expect_equivalent(before, after, false, "float conv");
  }
}

}  // namespace
}  // namespace qatrt::testing
