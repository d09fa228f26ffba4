// convert_to_float16 (--fp16): the float32 graph inputs and outputs stay float32 behind explicit Casts, every
// activation between becomes float16, FusedConv / FusedGemm weights and biases become float16 constants rounded
// to nearest even, and an op with no float16 kernel is refused by name. The builder's --fp16 pipeline ends with
// every layer marked fp16.
#include <gtest/gtest.h>

#include "core/float16.h"
#include "pass_test_util.h"
#include "passes/builder.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

// x → FusedConv(+bias, relu) → MaxPool → GlobalAveragePool → Flatten → FusedGemm → Softmax → y
Graph float_network(GraphBuilder& b) {
  const ValueId x = b.input("x", {1, 3, 8, 8});
  const ValueId conv = b.node(Op::kFusedConv, "conv",
                              {x, b.float_constant("w", {4, 3, 3, 3}, -1, 1), b.float_constant("b", {4}, -1, 1)},
                              {{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"relu", int64_t{1}}});
  const ValueId pool = b.node(Op::kMaxPool, "pool", {conv}, {{"kernel_shape", std::vector<int64_t>{2, 2}},
                                                            {"strides", std::vector<int64_t>{2, 2}}});
  const ValueId flat = b.node(Op::kFlatten, "flat", {b.node(Op::kGlobalAveragePool, "gap", {pool})});
  const ValueId fc = b.node(Op::kFusedGemm, "fc", {flat, b.float_constant("fw", {5, 4}, -1, 1), b.float_constant("fb", {5}, -1, 1)});
  b.output(b.node(Op::kSoftmax, "softmax", {fc}, {{"axis", int64_t{-1}}}));
  return b.finish();
}

TEST(ConvertToFloat16, CastsAtTheBoundaryAndFloat16Between) {
  GraphBuilder b;
  Graph g = float_network(b);
  const Graph before = g;
  ASSERT_TRUE(apply_pass(g, convert_to_float16).ok());
  SCOPED_TRACE(dump(g));

  ASSERT_EQ(count_ops(g, Op::kCast), 2);
  const Node& first = g.nodes.front();
  const Node& last = g.nodes.back();
  ASSERT_EQ(first.op, Op::kCast);
  EXPECT_EQ(first.inputs[0], g.inputs[0]);
  EXPECT_EQ(g.value(first.outputs[0]).dtype, DType::kFloat16);
  ASSERT_EQ(last.op, Op::kCast);
  EXPECT_EQ(last.outputs[0], g.outputs[0]);
  EXPECT_EQ(g.value(last.inputs[0]).dtype, DType::kFloat16);
  // The caller's side is unchanged: same names, float32.
  EXPECT_EQ(g.value(g.inputs[0]).name, before.value(before.inputs[0]).name);
  EXPECT_EQ(g.value(g.inputs[0]).dtype, DType::kFloat32);
  EXPECT_EQ(g.value(g.outputs[0]).name, before.value(before.outputs[0]).name);
  EXPECT_EQ(g.value(g.outputs[0]).dtype, DType::kFloat32);

  for (const Node& node : g.nodes) {
    if (node.op == Op::kCast) continue;
    for (ValueId id : node.outputs) EXPECT_EQ(g.value(id).dtype, DType::kFloat16) << node.describe();
    if (node.op != Op::kFusedConv && node.op != Op::kFusedGemm) continue;
    for (size_t i = 1; i < 3; ++i) {
      const Value& constant = g.value(node.inputs[i]);
      ASSERT_EQ(constant.dtype, DType::kFloat16) << node.describe() << " input " << i;
      // Rounded to nearest even from the float32 values it replaced.
      const Tensor& original = *before.value(before.find_value(constant.name)).constant;
      for (int64_t e = 0; e < original.numel(); ++e)
        ASSERT_EQ(constant.constant->data<uint16_t>()[e], float_to_half_bits(original.data<float>()[e]))
            << constant.name << "[" << e << "]";
    }
  }
}

TEST(ConvertToFloat16, RefusesAnOpWithoutAFloat16Kernel) {
  GraphBuilder b;
  const ValueId x = b.input("x", {1, 4, 4, 4});
  b.output(b.node(Op::kRelu, "relu", {x}));
  Graph g = b.finish();
  PassContext context;
  const Status s = convert_to_float16(g, context);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find("node 'relu' (Relu)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("--fp32"), std::string::npos) << s.message();
}

TEST(ConvertToFloat16, TheFp16PipelineMarksEveryLayerFp16) {
  GraphBuilder b;
  Graph g = float_network(b);
  PassContext context;
  ASSERT_TRUE(optimize_graph(g, PrecisionMode::kFp16, context).ok());
  SCOPED_TRACE(dump(g));
  for (const Node& node : g.nodes) {
    const Precision expected = node.op == Op::kFlatten ? Precision::kNone : Precision::kFloat16;
    EXPECT_EQ(node.precision, expected) << node.describe() << ": " << node.precision_reason;
  }
  EXPECT_EQ(parse_precision_mode("fp16").value(), PrecisionMode::kFp16);
}

}  // namespace
}  // namespace qatrt::testing
