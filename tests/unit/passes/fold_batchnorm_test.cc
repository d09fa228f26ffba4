#include <gtest/gtest.h>

#include "pass_test_util.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

// BN parameters for `channels` channels; gamma may be negative (negative folded scales).
ValueId batchnorm(GraphBuilder& b, ValueId x, int64_t channels, bool negative_gamma) {
  ValueId gamma = b.float_constant("gamma", {channels}, negative_gamma ? -2.0f : 0.5f, 2.0f);
  ValueId beta = b.float_constant("beta", {channels}, -1.0f, 1.0f);
  ValueId mean = b.float_constant("mean", {channels}, -1.0f, 1.0f);
  ValueId var = b.float_constant("var", {channels}, 0.1f, 3.0f);
  return b.node(Op::kBatchNormalization, "bn", {x, gamma, beta, mean, var}, {{"epsilon", 1e-3f}});
}

struct ConvCase {
  bool quantized_weight;
  bool per_channel;
  bool bias;
  bool negative_gamma;
  int64_t group;
  std::string name() const {
    return std::string(quantized_weight ? (per_channel ? "DQ per-channel" : "DQ per-tensor") : "float") +
           " weight, bias=" + std::to_string(bias) + ", negative gamma=" + std::to_string(negative_gamma) +
           ", group=" + std::to_string(group);
  }
};

TEST(FoldBatchnorm, ConvSweepFoldsIntoWeightsOrScalesAndBias) {
  for (bool quantized : {false, true})
    for (bool per_channel : {false, true})
      for (bool bias : {false, true})
        for (bool negative : {false, true})
          for (int64_t group : {1, 2}) {
            if (!quantized && per_channel) continue;
            ConvCase c{quantized, per_channel, bias, negative, group};
            SCOPED_TRACE(c.name());
            GraphBuilder b;
            const int64_t k = 4;
            ValueId x = b.input("x", {2, 4, 6, 6});
            QuantParams wq = per_channel ? per_axis({0.02f, 0.01f, 0.04f, 0.03f}, 0) : per_tensor(0.02f);
            ValueId w = quantized ? b.weight("w", {k, 4 / group, 3, 3}, wq)
                                  : b.float_constant("w", {k, 4 / group, 3, 3}, -1, 1);
            ValueId bias_id = bias ? b.float_constant("b", {k}, -1, 1) : kNoValue;
            ValueId y = b.conv("conv", x, w, bias_id, {{"group", group}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
            b.output(batchnorm(b, y, k, negative));
            Graph before = b.finish();
            Graph after = before;
            PassContext context;
            ASSERT_TRUE(apply_pass(after, fold_batchnorm, &context).ok());
            EXPECT_EQ(count_ops(after, Op::kBatchNormalization), 0) << dump(after);
            EXPECT_EQ(context.log.size(), 1u);
            const Node* conv = find_op(after, Op::kConv);
            ASSERT_NE(conv, nullptr);
            EXPECT_EQ(conv->outputs[0], after.outputs[0]);
            if (quantized) {
              // The integers are kept (or mirrored, for a negative factor); the scales became per-channel.
              const Node* dq = find_op(after, Op::kDequantizeLinear);
              ASSERT_NE(dq, nullptr);
              ASSERT_EQ(conv->inputs[1], dq->outputs[0]);
              const Value& q = after.value(dq->inputs[0]);
              const Value& original = before.value(before.nodes[0].inputs[0]);
              for (int64_t i = 0; i < q.constant->numel(); ++i)
                ASSERT_EQ(std::abs(q.constant->as_int64(i)), std::abs(original.constant->as_int64(i))) << i;
              for (float scale : q.quant->scales) EXPECT_GT(scale, 0.0f);
              ASSERT_TRUE(q.quant.has_value());
              EXPECT_EQ(q.quant->scales.size(), 4u);
              EXPECT_EQ(q.quant->axis, 0);
            }
            expect_equivalent(before, after, /*exact=*/false, c.name());
          }
}

TEST(FoldBatchnorm, SharedQuantizedWeightGetsAPrivateCopy) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 3, 4, 4});
  ValueId w = b.weight("w", {4, 3, 1, 1}, per_axis({0.1f, 0.2f, 0.1f, 0.05f}, 0));
  ValueId plain = b.conv("plain", x, w);
  b.output(batchnorm(b, b.conv("folded", x, w), 4, true));
  b.output(plain);
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, fold_batchnorm).ok());
  ASSERT_EQ(count_ops(after, Op::kBatchNormalization), 0);
  EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 2) << dump(after);
  expect_equivalent(before, after, false, "shared weight");
}

TEST(FoldBatchnorm, NegativeFactorsMirrorTheIntegersOrKeepANegativeScale) {
  // Channel 0 holds -128 and cannot be mirrored (128 is out of int8 range); channel 1 can.
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 3, 3});
  Tensor w = Tensor::from_vector<int8_t>({2, 2, 1, 1}, {-128, 5, -7, 127});
  QuantParams wq = per_axis({0.5f, 0.25f}, 0);
  ValueId dq = b.dequantize(b.constant("w", w, wq), wq);
  ValueId y = b.conv("conv", x, dq);
  auto c = [&](const std::string& name, std::vector<float> v) {
    return b.constant(name, Tensor::from_vector<float>({2}, v));
  };
  b.output(b.node(Op::kBatchNormalization, "bn",
                  {y, c("gamma", {-1.0f, -2.0f}), c("beta", {0, 0}), c("mean", {0, 0}), c("var", {1, 1})},
                  {{"epsilon", 0.0f}}));
  Graph g = b.finish();
  ASSERT_TRUE(apply_pass(g, fold_batchnorm).ok());
  const Node* folded = find_op(g, Op::kConv);
  ASSERT_NE(folded, nullptr);
  const Value& q = g.value(g.nodes[static_cast<size_t>(g.producer(folded->inputs[1]))].inputs[0]);
  EXPECT_EQ(q.quant->scales, (std::vector<float>{-0.5f, 0.5f}));
  std::vector<int64_t> data = q.constant->to_int64_vector();
  EXPECT_EQ(data, (std::vector<int64_t>{-128, 5, 7, -127}));
}

TEST(FoldBatchnorm, GemmAndMatMulFoldAlongTheOutputColumns) {
  for (Op op : {Op::kGemm, Op::kMatMul})
    for (bool quantized : {false, true})
      for (int64_t trans_b : {0, 1}) {
        if (op == Op::kMatMul && trans_b) continue;
        std::string what = std::string(op_name(op)) + (quantized ? " DQ weight" : " float weight") +
                           " transB=" + std::to_string(trans_b);
        SCOPED_TRACE(what);
        GraphBuilder b;
        const int64_t k = 6, n = 5;
        ValueId a = b.input("a", {3, k});
        Shape w_shape = trans_b ? Shape{n, k} : Shape{k, n};
        std::vector<float> scales = {0.1f, 0.05f, 0.2f, 0.1f, 0.025f};
        ValueId w = quantized ? b.weight("w", w_shape, per_axis(scales, trans_b ? 0 : 1))
                              : b.float_constant("w", w_shape, -1, 1);
        ValueId y;
        if (op == Op::kGemm)
          y = b.node(op, "gemm", {a, w, b.float_constant("c", {n}, -1, 1)},
                     {{"transB", trans_b}, {"alpha", 0.5f}, {"beta", 2.0f}});
        else
          y = b.node(op, "matmul", {a, w});
        b.output(batchnorm(b, y, n, true));
        Graph before = b.finish();
        Graph after = before;
        ASSERT_TRUE(apply_pass(after, fold_batchnorm).ok());
        EXPECT_EQ(count_ops(after, Op::kBatchNormalization), 0) << dump(after);
        EXPECT_EQ(count_ops(after, Op::kGemm), 1);
        expect_equivalent(before, after, false, what);
      }
}

TEST(FoldBatchnorm, DoesNotFoldWhenThePatternDoesNotHold) {
  struct Case {
    std::string name;
    std::function<void(GraphBuilder&, ValueId x)> build;
  };
  const Case cases[] = {
      {"conv output also read by another node",
       [](GraphBuilder& b, ValueId x) {
         ValueId y = b.conv("conv", x, b.float_constant("w", {4, 3, 1, 1}, -1, 1));
         b.output(batchnorm(b, y, 4, false));
         b.output(b.node(Op::kRelu, "relu", {y}));
       }},
      {"conv output is a graph output",
       [](GraphBuilder& b, ValueId x) {
         ValueId y = b.conv("conv", x, b.float_constant("w", {4, 3, 1, 1}, -1, 1));
         b.output(batchnorm(b, y, 4, false));
         b.output(y);
       }},
      {"BN statistics are not constants",
       [](GraphBuilder& b, ValueId x) {
         ValueId y = b.conv("conv", x, b.float_constant("w", {4, 3, 1, 1}, -1, 1));
         ValueId mean = b.input("mean", {4});
         b.output(b.node(Op::kBatchNormalization, "bn",
                         {y, b.float_constant("g", {4}, 1, 2), b.float_constant("be", {4}, 0, 1), mean,
                          b.float_constant("v", {4}, 1, 2)}));
       }},
      {"weight quantized per-axis along the input channels",
       [](GraphBuilder& b, ValueId x) {
         ValueId y = b.conv("conv", x, b.weight("w", {4, 3, 1, 1}, per_axis({0.1f, 0.2f, 0.3f}, 1)));
         b.output(batchnorm(b, y, 4, false));
       }},
      {"weight is not a constant",
       [](GraphBuilder& b, ValueId x) {
         ValueId w = b.input("w", {4, 3, 1, 1});
         b.output(batchnorm(b, b.conv("conv", x, w), 4, false));
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    c.build(b, b.input("x", {1, 3, 4, 4}));
    Graph g = b.finish();
    ASSERT_TRUE(apply_pass(g, fold_batchnorm).ok());
    EXPECT_EQ(count_ops(g, Op::kBatchNormalization), 1) << dump(g);
  }
}

}  // namespace
}  // namespace qatrt::testing
