#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

const QuantParams kA = per_tensor(0.0625f, -4);
const QuantParams kResidual = per_tensor(0.125f, 0);
const QuantParams kOut = per_tensor(0.5f, 2);
constexpr int64_t kM = 3, kK = 10, kN = 6;

struct GemmCase {
  Op op;
  int64_t trans_b;
  float alpha;
  float beta;
  int c_shape;  // 0: none, 1: [N], 2: [1,N], 3: scalar
  bool per_channel;
  int residual;  // 0: none, 1: int8, 2: float
  bool relu;
  bool quantized_output;

  std::string describe() const {
    return std::string(op_name(op)) + " transB=" + std::to_string(trans_b) + " alpha=" + std::to_string(alpha) +
           " beta=" + std::to_string(beta) + " C=" + std::to_string(c_shape) +
           " per_channel=" + std::to_string(per_channel) + " residual=" + std::to_string(residual) +
           " relu=" + std::to_string(relu) + " Q=" + std::to_string(quantized_output);
  }
};

Graph build(const GemmCase& c, GraphBuilder& b) {
  ValueId a = b.dequantize(b.quantize(b.input("a", {kM, kK}), kA, DType::kInt8, "a_q"), kA, "a_dq");
  std::vector<float> scales;
  for (int64_t n = 0; n < kN; ++n) scales.push_back(n % 2 ? 0.0078125f : 0.015625f);
  Shape w_shape = c.trans_b ? Shape{kN, kK} : Shape{kK, kN};
  QuantParams wq = c.per_channel ? per_axis(scales, c.trans_b ? 0 : 1) : per_tensor(0.03125f);
  ValueId w = b.weight("w", w_shape, wq);
  ValueId y;
  if (c.op == Op::kMatMul) {
    y = b.node(Op::kMatMul, "gemm", {a, w});
  } else {
    std::vector<ValueId> inputs = {a, w};
    const Shape c_shapes[] = {{}, {kN}, {1, kN}, {}};
    if (c.c_shape) inputs.push_back(b.float_constant("c", c_shapes[c.c_shape], -2, 2, 0.0625f));
    y = b.node(Op::kGemm, "gemm", inputs, {{"transB", c.trans_b}, {"alpha", c.alpha}, {"beta", c.beta}});
  }
  if (c.residual) {
    ValueId r = b.input("r", {kM, kN});
    if (c.residual == 1) r = b.dequantize(b.quantize(r, kResidual), kResidual);
    y = b.node(Op::kAdd, "add", {r, y});
  }
  if (c.relu) y = b.node(Op::kRelu, "relu", {y});
  if (c.quantized_output) y = b.dequantize(b.quantize(y, kOut), kOut);
  b.output(y);
  return b.finish();
}

TEST(FuseGemmEpilogue, QuantizedSweepMatchesExactly) {
  std::vector<GemmCase> cases;
  for (int residual : {0, 1, 2})
    for (bool relu : {false, true})
      for (bool quantized_output : {false, true})
        for (bool per_channel : {false, true}) {
          cases.push_back({Op::kMatMul, 0, 1.0f, 1.0f, 0, per_channel, residual, relu, quantized_output});
          for (int64_t trans_b : {0, 1})
            for (int c_shape : {0, 1, 2, 3})
              cases.push_back({Op::kGemm, trans_b, trans_b ? 0.5f : -2.0f, c_shape == 2 ? 0.25f : 1.0f, c_shape,
                               per_channel, residual, relu, quantized_output});
        }
  uint32_t seed = 0;
  for (const GemmCase& c : cases) {
    SCOPED_TRACE(c.describe());
    GraphBuilder b(++seed);
    Graph before = build(c, b);
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, fuse_gemm_epilogue).ok());
    after.remove_dead_nodes();
    ASSERT_EQ(count_ops(after, Op::kQGemm), 1) << dump(after);
    EXPECT_EQ(count_ops(after, Op::kGemm) + count_ops(after, Op::kMatMul) + count_ops(after, Op::kAdd) +
                  count_ops(after, Op::kRelu),
              0);
    const Node& qgemm = *find_op(after, Op::kQGemm);
    const Value& w = after.value(qgemm.inputs[1]);
    EXPECT_EQ(w.shape, (Shape{kN, kK}));
    if (c.per_channel) {
      EXPECT_EQ(w.quant->axis, 0);
    }
    EXPECT_EQ(after.value(qgemm.outputs[0]).dtype, c.quantized_output ? DType::kInt8 : DType::kFloat32);
    expect_equivalent(before, after, /*exact=*/true, c.describe(), 2);
    if (HasFailure()) return;
  }
}

TEST(FuseGemmEpilogue, DoesNotQuantizeUnsupportedForms) {
  struct Case {
    std::string name;
    std::function<void(GraphBuilder&)> build;
    std::string reason;
  };
  auto a_dq = [](GraphBuilder& b, Shape shape) { return b.dequantize(b.quantize(b.input("a", shape), kA), kA); };
  const Case cases[] = {
      {"MatMul on a 3-D activation",
       [&](GraphBuilder& b) { b.output(b.node(Op::kMatMul, "mm", {a_dq(b, {2, kM, kK}), b.weight("w", {kK, kN}, per_tensor(0.5f))})); },
       "A is not 2-D"},
      {"Gemm transA=1",
       [&](GraphBuilder& b) {
         b.output(b.node(Op::kGemm, "g", {a_dq(b, {kK, kM}), b.weight("w", {kK, kN}, per_tensor(0.5f))},
                         {{"transA", int64_t{1}}}));
       },
       "transA"},
      {"weight per-axis along K",
       [&](GraphBuilder& b) {
         std::vector<float> scales(kK, 0.5f);
         b.output(b.node(Op::kMatMul, "mm", {a_dq(b, {kM, kK}), b.weight("w", {kK, kN}, per_axis(scales, 0))}));
       },
       "not per-channel-quantized"},
      {"C is a full [M,N] input",
       [&](GraphBuilder& b) {
         b.output(b.node(Op::kGemm, "g", {a_dq(b, {kM, kK}), b.weight("w", {kK, kN}, per_tensor(0.5f)),
                                          b.input("c", {kM, kN})}));
       },
       "C is not a constant"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    c.build(b);
    Graph g = b.finish();
    ASSERT_TRUE(apply_pass(g, fuse_gemm_epilogue).ok());
    EXPECT_EQ(count_ops(g, Op::kQGemm) + count_ops(g, Op::kFusedGemm), 0) << dump(g);
    ASSERT_TRUE(apply_pass(g, [](Graph& graph, PassContext& ctx) {
                  return assign_precision(graph, ctx, PrecisionMode::kInt8);
                }).ok());
    for (const Node& node : g.nodes)
      if (node.op == Op::kGemm || node.op == Op::kMatMul) {
        EXPECT_NE(node.precision_reason.find(c.reason), std::string::npos) << node.precision_reason;
      }
  }
}

TEST(FuseGemmEpilogue, FloatGemmAndMatMulBecomeFusedGemm) {
  for (Op op : {Op::kGemm, Op::kMatMul}) {
    SCOPED_TRACE(op_name(op));
    GraphBuilder b;
    ValueId a = b.input("a", {kM, kK});
    ValueId w = b.float_constant("w", {kK, kN}, -1, 1);
    ValueId y = op == Op::kGemm ? b.node(op, "g", {a, w, b.float_constant("c", {kN}, -1, 1)},
                                         {{"alpha", 0.75f}, {"beta", 1.5f}})
                                : b.node(op, "g", {a, w});
    b.output(b.node(Op::kRelu, "relu", {b.node(Op::kAdd, "add", {y, b.input("r", {kM, kN})})}));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, fuse_gemm_epilogue).ok());
    ASSERT_EQ(after.nodes.size(), 1u) << dump(after);
    EXPECT_EQ(after.nodes[0].op, Op::kFusedGemm);
    EXPECT_EQ(after.value(after.nodes[0].inputs[1]).shape, (Shape{kN, kK}));
    expect_equivalent(before, after, false, "float gemm");
  }
}

}  // namespace
}  // namespace qatrt::testing
