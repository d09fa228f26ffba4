// The trainer's op semantics on the ops ResNet-50 does not use (Pad, grouped Conv, Clip, AveragePool both
// ways, MaxPool ceil_mode, Concat, Mul/Sub/Div by constants, Transpose, Reshape, Unsqueeze, Squeeze, MatMul +
// bias Add): its forward must equal qatrt's reference backend on the float graph, and it must train through
// all of them (with the recipe's Q/DQ, which quantizes the MatMul per output column).
#include <gtest/gtest.h>

#include <cmath>

#include "train/trainer.h"
#include "unit/keras/keras_model_writer.h"
#include "unit/train/train_test_util.h"

namespace qatrt {
namespace {

using train_test::random_tensor;

Tensor ints(std::vector<int64_t> v) { return Tensor::from_vector<int64_t>({static_cast<int64_t>(v.size())}, v); }

Graph every_other_op(bool qdq) {
  testing::GraphBuilder b;
  using V = std::vector<int64_t>;
  ValueId x = b.input("image", {kDynamicDim, 3, train_test::kSide, train_test::kSide});
  ValueId padded = b.node("pad", Op::kPad, {x, b.constant("pads", ints({0, 0, 1, 0, 0, 0, 0, 1})), b.constant("pad_value", Tensor::scalar(0.5f))});
  ValueId c1 = b.node("conv1", Op::kConv, {padded, b.constant("w1", random_tensor({4, 3, 3, 3}, 1, 0.5f))}, {{"kernel_shape", V{3, 3}}});
  ValueId c2 = b.node("conv2", Op::kConv, {c1, b.constant("w2", random_tensor({4, 2, 1, 1}, 2, 0.8f)), b.constant("b2", random_tensor({4}, 3, 0.2f))},
                      {{"kernel_shape", V{1, 1}}, {"group", int64_t{2}}});
  ValueId clipped = b.node("clip", Op::kClip, {c2, b.constant("lo", Tensor::scalar(-0.5f)), b.constant("hi", Tensor::scalar(1.5f))});
  ValueId avg = b.node("avg", Op::kAveragePool, {clipped},
                       {{"kernel_shape", V{2, 2}}, {"strides", V{2, 2}}, {"pads", V{0, 0, 1, 1}}, {"count_include_pad", int64_t{1}}});
  ValueId avg3 = b.node("avg3", Op::kAveragePool, {clipped}, {{"kernel_shape", V{3, 3}}, {"pads", V{1, 1, 1, 1}}});
  ValueId maxed = b.node("max", Op::kMaxPool, {avg3}, {{"kernel_shape", V{2, 2}}, {"strides", V{2, 2}}, {"ceil_mode", int64_t{1}}});
  ValueId joined = b.node("concat", Op::kConcat, {avg, maxed}, {{"axis", int64_t{1}}});
  ValueId scaled = b.node("mul", Op::kMul, {joined, b.constant("gain", random_tensor({1, 8, 1, 1}, 4, 2.0f))});
  ValueId nhwc = b.node("transpose", Op::kTranspose, {scaled}, {{"perm", V{0, 2, 3, 1}}});
  ValueId flat = b.node("reshape", Op::kReshape, {nhwc, b.constant("shape", ints({0, -1}))});
  ValueId up = b.node("unsqueeze", Op::kUnsqueeze, {flat, b.constant("axes_u", ints({1}))});
  ValueId down = b.node("squeeze", Op::kSqueeze, {up, b.constant("axes_s", ints({-2}))});
  ValueId mm = b.node("fc", Op::kMatMul, {down, b.constant("fc_w", random_tensor({8 * 6 * 6, train_test::kClasses}, 5, 0.2f))});
  ValueId biased = b.node("fc_bias", Op::kAdd, {mm, b.constant("fc_b", random_tensor({train_test::kClasses}, 6, 0.1f))});
  ValueId shifted = b.node("sub", Op::kSub, {biased, b.constant("shift", Tensor::scalar(0.25f))});
  ValueId logits = b.node("div", Op::kDiv, {shifted, b.constant("temperature", Tensor::scalar(1.5f))});
  ValueId prob = b.node("prob", Op::kSoftmax, {logits}, {{"axis", int64_t{-1}}});
  Graph graph = b.finish({prob});
  if (qdq) {
    EXPECT_TRUE(insert_qdq(graph, {}).ok());
    std::map<std::string, float> ranges;
    for (const std::string& t : tensors_to_calibrate(graph)) ranges[t] = 3.0f;
    EXPECT_TRUE(set_activation_ranges(graph, ranges).ok());
  }
  return graph;
}

TEST(TrainerOps, ForwardMatchesTheReferenceBackend) {
  Graph graph = every_other_op(false);
  Tensor input = random_tensor({3, 3, train_test::kSide, train_test::kSide}, 9, 2.0f);
  auto got = trainer_forward(graph, input);
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  auto expected = testing::run_reference(graph, {input});
  ASSERT_EQ(expected.size(), 1u);
  ASSERT_EQ(got->shape(), expected[0].shape());
  auto a = got->to_float_vector(), e = expected[0].to_float_vector();
  for (size_t i = 0; i < a.size(); ++i)  // float sums in different orders: a few ulps of probabilities ≤ 1
    EXPECT_NEAR(a[i], e[i], 1e-6) << "output " << i;
}

TEST(TrainerOps, TrainsThroughEveryOp) {
  Graph graph = every_other_op(true);
  const Graph before = graph;
  train_test::SyntheticImages data(16);
  TrainOptions o;
  o.epochs = 2;
  o.batch = 8;
  o.lr = 0.05;
  o.progress = false;
  auto summary = train_qat(graph, data, o);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_TRUE(std::isfinite(summary->last_loss));
  // Every trained constant moved (the gradient reached it through all the ops above).
  for (const char* name : {"w1", "w2", "b2", "fc_w", "fc_b"}) {
    ValueId id = graph.find_value(name);
    ASSERT_NE(id, kNoValue) << name;
    EXPECT_NE(graph.value(id).constant->to_float_vector(), before.value(before.find_value(name)).constant->to_float_vector()) << name;
  }
}

}  // namespace
}  // namespace qatrt
