// The whole pipeline (optimize_graph) on small hand-built models in the shapes the exporters write.
#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "ir/shape_inference.h"
#include "passes/builder.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

const QuantParams kAct = per_tensor(0.0625f, 0);
const QuantParams kAct2 = per_tensor(0.125f, 0);

std::vector<float> channel_scales(int64_t k) {
  std::vector<float> scales;
  for (int64_t i = 0; i < k; ++i) scales.push_back(i % 3 == 0 ? 0.00390625f : (i % 3 == 1 ? 0.0078125f : 0.015625f));
  return scales;
}

// torch.onnx-style QDQ: float weights behind Q → DQ (per-channel), Q → DQ before every conv input, a
// residual block, MaxPool between Q/DQ pairs, and a Linear classifier (Gemm transB=1).
Graph torch_style_model(GraphBuilder& b, bool with_batchnorm) {
  auto weight = [&](const std::string& name, Shape shape) {
    QuantParams q = per_axis(channel_scales(shape[0]), 0);
    ValueId w = b.float_constant(name, shape, -0.5f, 0.5f);
    return b.dequantize(b.quantize(w, q, DType::kInt8, name + "_q"), q, name + "_dq");
  };
  auto qdq = [&](ValueId v, const QuantParams& q) { return b.dequantize(b.quantize(v, q), q); };
  ValueId x = qdq(b.input("x", {2, 3, 8, 8}), kAct);
  ValueId c1 = b.conv("conv1", x, weight("w1", {8, 3, 3, 3}), b.float_constant("b1", {8}, -1, 1, 0.0625f),
                      {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  if (with_batchnorm) {
    auto vec = [&](const std::string& n, float lo, float hi) { return b.float_constant(n, {8}, lo, hi); };
    c1 = b.node(Op::kBatchNormalization, "bn1", {c1, vec("g", -1.5f, 1.5f), vec("be", -1, 1), vec("m", -1, 1),
                                                 vec("v", 0.5f, 2)});
  }
  ValueId r1 = qdq(b.node(Op::kRelu, "relu1", {c1}), kAct2);
  ValueId pooled = qdq(b.node(Op::kMaxPool, "pool", {r1},
                              {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}}),
                       kAct2);
  ValueId c2 = b.conv("conv2", pooled, weight("w2", {8, 8, 3, 3}), kNoValue, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  ValueId r2 = qdq(b.node(Op::kRelu, "relu2", {c2}), kAct);
  ValueId c3 = b.conv("conv3", r2, weight("w3", {8, 8, 1, 1}));
  ValueId sum = b.node(Op::kAdd, "residual", {c3, pooled});
  ValueId r3 = qdq(b.node(Op::kRelu, "relu3", {sum}), kAct2);
  ValueId gap = b.node(Op::kGlobalAveragePool, "gap", {r3});
  ValueId flat = qdq(b.node(Op::kFlatten, "flatten", {gap}), kAct2);
  b.output(b.node(Op::kGemm, "fc", {flat, weight("wfc", {5, 8}), b.float_constant("bfc", {5}, -1, 1, 0.0625f)},
                  {{"transB", int64_t{1}}}));
  return b.finish();
}

Status optimize(Graph& g, PrecisionMode mode, PassContext* context = nullptr) {
  PassContext local;
  return optimize_graph(g, mode, context ? *context : local);
}

void expect_all_precisions_set(const Graph& g) {
  for (const Node& node : g.nodes) {
    EXPECT_NE(node.precision, Precision::kUnset) << node.describe();
    EXPECT_FALSE(node.precision_reason.empty()) << node.describe();
  }
}

TEST(Builder, ParsesPrecisionModes) {
  EXPECT_EQ(parse_precision_mode("int8").value(), PrecisionMode::kInt8);
  EXPECT_EQ(parse_precision_mode("fp32").value(), PrecisionMode::kFp32);
  EXPECT_EQ(parse_precision_mode("best").value(), PrecisionMode::kBest);
  EXPECT_EQ(parse_precision_mode("fakequant").value(), PrecisionMode::kFakeQuant);
  EXPECT_EQ(parse_precision_mode("int8-exact").value(), PrecisionMode::kInt8Exact);
  EXPECT_EQ(parse_precision_mode("fp16").value(), PrecisionMode::kFp16);
  auto bad = parse_precision_mode("fp8");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("use int8, int8-exact, fp32, fp16, best or fakequant"), std::string::npos)
      << bad.status().message();
}

TEST(Builder, Int8PipelineFusesTheTorchStyleModelExactly) {
  GraphBuilder b;
  Graph before = torch_style_model(b, /*with_batchnorm=*/false);
  Graph after = before;
  PassContext context;
  ASSERT_TRUE(optimize(after, PrecisionMode::kInt8, &context).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kQConv), 3);
  EXPECT_EQ(count_ops(after, Op::kQGemm), 1);
  EXPECT_EQ(count_ops(after, Op::kConv) + count_ops(after, Op::kGemm) + count_ops(after, Op::kRelu), 0);
  EXPECT_EQ(after.value(find_op(after, Op::kMaxPool)->inputs[0]).dtype, DType::kInt8);
  // conv3's residual is the pooled int8 tensor, read directly.
  for (const Node& node : after.nodes)
    if (node.name == "conv3") {
      ASSERT_EQ(node.inputs.size(), 4u);
      EXPECT_EQ(after.value(node.inputs[3]).dtype, DType::kInt8);
    }
  expect_all_precisions_set(after);
  expect_equivalent(before, after, /*exact=*/true, "int8 pipeline");
  EXPECT_FALSE(context.log.empty());
}

TEST(Builder, ReportsEveryPassInOrder) {
  GraphBuilder b;
  Graph g = torch_style_model(b, false);
  PassContext context;
  std::vector<std::string> passes;
  context.on_pass_done = [&](const std::string& pass, double ms) {
    passes.push_back(pass);
    EXPECT_GE(ms, 0.0);
  };
  ASSERT_TRUE(optimize(g, PrecisionMode::kInt8, &context).ok());
  EXPECT_EQ(passes, (std::vector<std::string>{"fold_weight_qdq", "sink_transposes", "fold_batchnorm", "propagate_qdq",
                                              "fuse_conv_epilogue", "fuse_gemm_epilogue", "remove_dead_code",
                                              "assign_precision"}));
}

TEST(Builder, DynamicBatchOptimizesToTheSamePlan) {
  GraphBuilder static_builder, dynamic_builder;
  Graph before = torch_style_model(static_builder, false);
  Graph dynamic = torch_style_model(dynamic_builder, false);
  dynamic.value(dynamic.inputs[0]).shape[0] = kDynamicDim;
  ASSERT_TRUE(infer_shapes(dynamic).ok());
  ASSERT_TRUE(optimize(dynamic, PrecisionMode::kInt8).ok());
  SCOPED_TRACE(dump(dynamic));
  EXPECT_EQ(dynamic.value(dynamic.outputs[0]).shape, (Shape{kDynamicDim, 5}));
  EXPECT_EQ(count_ops(dynamic, Op::kQConv), 3);
  EXPECT_EQ(count_ops(dynamic, Op::kQGemm), 1);
  // Bound to batch 2 it computes what the static model computes.
  dynamic.value(dynamic.inputs[0]).shape[0] = 2;
  ASSERT_TRUE(infer_shapes(dynamic).ok());
  expect_equivalent(before, dynamic, /*exact=*/true, "dynamic batch bound to 2");
}

TEST(Builder, BatchnormFoldsIntoPerChannelScalesBeforeFusion) {
  GraphBuilder b;
  Graph before = torch_style_model(b, /*with_batchnorm=*/true);
  Graph after = before;
  ASSERT_TRUE(optimize(after, PrecisionMode::kInt8).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kBatchNormalization), 0);
  EXPECT_EQ(count_ops(after, Op::kQConv), 3);
  // The fold changes float rounding before conv1's output Q, which may move a value by one quantization
  // step; the logits stay close to the unfolded model's.
  std::mt19937 rng(3);
  auto inputs = random_inputs(before, rng);
  auto expected = run_reference(before, inputs);
  auto actual = run_reference(after, inputs);
  ASSERT_TRUE(expected.ok() && actual.ok()) << expected.status().to_string() << " / " << actual.status().to_string();
  double max_diff = 0, max_value = 0;
  for (int64_t i = 0; i < (*expected)[0].numel(); ++i) {
    max_diff = std::max(max_diff, std::fabs((*expected)[0].as_double(i) - (*actual)[0].as_double(i)));
    max_value = std::max(max_value, std::fabs((*expected)[0].as_double(i)));
  }
  EXPECT_LE(max_diff, 0.05 * max_value + 0.05) << "max |diff| " << max_diff << " for max |logit| " << max_value;
}

TEST(Builder, Fp32PipelineRunsTheDequantizedModelInFloat) {
  GraphBuilder b;
  Graph model = torch_style_model(b, /*with_batchnorm=*/true);
  Graph dequantized = model;
  for (auto pass : {fold_weight_qdq, dequantize_for_fp32}) ASSERT_TRUE(apply_pass(dequantized, pass).ok());
  Graph after = model;
  ASSERT_TRUE(optimize(after, PrecisionMode::kFp32).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kQuantizeLinear) + count_ops(after, Op::kDequantizeLinear), 0);
  EXPECT_EQ(count_ops(after, Op::kFusedConv), 3);
  EXPECT_EQ(count_ops(after, Op::kFusedGemm), 1);
  for (const Node& node : after.nodes)
    if (node.precision == Precision::kFloat32) {
      EXPECT_EQ(node.precision_reason.rfind("--fp32 requested", 0), 0u) << node.precision_reason;
    }
  expect_all_precisions_set(after);
  expect_equivalent(dequantized, after, /*exact=*/false, "fp32 pipeline");
}

// --fake-quant keeps every activation Q/DQ (6 in this model) and only makes the weights float constants; the
// result is the Q/DQ model itself computed in float (BN folded into the rounded weights: equal up to float
// rounding order, so not bit-exact).
TEST(Builder, FakeQuantPipelineKeepsActivationQdqAndComputesTheQdqModel) {
  GraphBuilder b;
  Graph model = torch_style_model(b, /*with_batchnorm=*/true);
  Graph after = model;
  ASSERT_TRUE(optimize(after, PrecisionMode::kFakeQuant).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kQuantizeLinear), 6);
  EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 6);
  EXPECT_EQ(count_ops(after, Op::kQConv) + count_ops(after, Op::kQGemm), 0);
  EXPECT_EQ(count_ops(after, Op::kFusedConv), 3);
  EXPECT_EQ(count_ops(after, Op::kFusedGemm), 1);
  EXPECT_EQ(count_ops(after, Op::kBatchNormalization), 0);
  for (const Node& node : after.nodes) {
    for (ValueId in : node.inputs)
      if (in != kNoValue && after.is_constant(in)) {
        EXPECT_FALSE(is_quantized_type(after.value(in).dtype)) << node.describe() << " reads an int8 constant";
      }
    if (node.op == Op::kFusedConv || node.op == Op::kFusedGemm || node.op == Op::kMaxPool) {
      EXPECT_EQ(node.precision_reason.rfind("--fake-quant", 0), 0u) << node.describe() << ": " << node.precision_reason;
    }
  }
  expect_all_precisions_set(after);
  expect_equivalent(model, after, /*exact=*/false, "fake-quant pipeline");
}

// tf2onnx: NHWC input, Q/DQ in NHWC, transposes around the conv, HWIO weights transposed after their DQ.
TEST(Builder, Tf2onnxNhwcModelEndsWithInt8ConvsAndTwoTransposes) {
  GraphBuilder b;
  using Perm = std::vector<int64_t>;
  auto qdq = [&](ValueId v, const QuantParams& q) { return b.dequantize(b.quantize(v, q), q); };
  auto conv_block = [&](ValueId x_nhwc, int64_t c, int64_t k, const std::string& name) {
    QuantParams wq = per_axis(channel_scales(k), 3);
    ValueId w = b.node(Op::kTranspose, name + "_wt", {b.weight(name + "_w", {3, 3, c, k}, wq)}, {{"perm", Perm{3, 2, 0, 1}}});
    ValueId x = b.node(Op::kTranspose, name + "_in", {qdq(x_nhwc, kAct)}, {{"perm", Perm{0, 3, 1, 2}}});
    ValueId y = b.conv(name, x, w, kNoValue, {{"pads", Perm{1, 1, 1, 1}}});
    return b.node(Op::kRelu, name + "_relu", {b.node(Op::kTranspose, name + "_out", {y}, {{"perm", Perm{0, 2, 3, 1}}})});
  };
  ValueId x = b.input("x", {1, 6, 6, 3});
  ValueId y1 = conv_block(x, 3, 4, "conv1");
  ValueId y2 = conv_block(y1, 4, 4, "conv2");
  b.output(qdq(b.node(Op::kAdd, "add", {y1, y2}), kAct2));
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(optimize(after, PrecisionMode::kInt8).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kQConv), 2);
  EXPECT_EQ(count_ops(after, Op::kTranspose), 2);
  expect_all_precisions_set(after);
  expect_equivalent(before, after, true, "tf2onnx pipeline");
}

TEST(Builder, AnInvalidInputGraphIsReportedBeforeAnyPass) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 4, 4});
  b.output(b.conv("conv", x, b.float_constant("w", {2, 5, 1, 1}, -1, 1)));  // 5 input channels ≠ 3
  Graph g = b.graph;
  Status status = optimize(g, PrecisionMode::kInt8);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("before optimization"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("'conv'"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace qatrt::testing
