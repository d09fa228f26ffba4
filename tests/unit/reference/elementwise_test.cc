// Add / Sub / Mul / Div with numpy broadcasting (float and integer), Relu, Clip.
#include <cmath>
#include <limits>

#include "one_node.h"

namespace qatrt::testing {
namespace {

StatusOr<std::vector<Tensor>> binary(Op op, const Tensor& a, const Tensor& b) {
  OneNode t(op);
  t.input(a.dtype(), a.shape());
  t.input(b.dtype(), b.shape());
  return t.run({a, b});
}

TEST(Binary, SameShape) {
  Tensor a = Tensor::from_vector<float>({2, 2}, {1, 2, 3, 4}), b = Tensor::from_vector<float>({2, 2}, {4, 3, 2, 1});
  EXPECT_EQ(values_of<float>(binary(Op::kAdd, a, b).value()[0]), (std::vector<float>{5, 5, 5, 5}));
  EXPECT_EQ(values_of<float>(binary(Op::kSub, a, b).value()[0]), (std::vector<float>{-3, -1, 1, 3}));
  EXPECT_EQ(values_of<float>(binary(Op::kMul, a, b).value()[0]), (std::vector<float>{4, 6, 6, 4}));
  EXPECT_EQ(values_of<float>(binary(Op::kDiv, a, b).value()[0]), (std::vector<float>{0.25f, 2.0f / 3, 1.5f, 4}));
}

TEST(Binary, NumpyBroadcastBothWays) {
  // [2,1] op [3] → [2,3]
  Tensor a = Tensor::from_vector<float>({2, 1}, {10, 20}), b = Tensor::from_vector<float>({3}, {1, 2, 3});
  auto out = binary(Op::kSub, a, b);
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 3}));
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{9, 8, 7, 19, 18, 17}));
  // per-channel [1,C,1,1]-style broadcast over NCHW: [1,2,1,2] + [2,1,1]
  auto y = binary(Op::kAdd, Tensor::from_vector<float>({1, 2, 1, 2}, {1, 2, 3, 4}),
                  Tensor::from_vector<float>({2, 1, 1}, {100, 200}));
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(values_of<float>((*y)[0]), (std::vector<float>{101, 102, 203, 204}));
  // scalar
  auto s = binary(Op::kMul, Tensor::from_vector<float>({3}, {1, 2, 3}), Tensor::scalar(2));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(values_of<float>((*s)[0]), (std::vector<float>{2, 4, 6}));
}

TEST(Binary, IntegerDivisionTruncates) {
  auto out = binary(Op::kDiv, Tensor::from_vector<int64_t>({3}, {7, -7, 6}), Tensor::from_vector<int64_t>({3}, {2, 2, 3}));
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int64_t>((*out)[0]), (std::vector<int64_t>{3, -3, 2}));
  auto by_zero = binary(Op::kDiv, Tensor::from_vector<int32_t>({1}, {1}), Tensor::from_vector<int32_t>({1}, {0}));
  EXPECT_FALSE(by_zero.ok());
}

TEST(Binary, RejectsMixedDtypes) {
  OneNode t(Op::kAdd);
  t.input(DType::kFloat32, {2});
  t.input(DType::kInt8, {2});
  t.skip_inference = true;
  ValueId y = t.output();
  t.graph.value(y).shape = {2};
  EXPECT_FALSE(t.supports().ok());
}

TEST(Relu, ClampsNegatives) {
  OneNode t(Op::kRelu);
  t.input(DType::kFloat32, {4});
  auto out = t.run({Tensor::from_vector<float>({4}, {-1, 0, 0.5f, -0.0f})});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{0, 0, 0.5f, 0}));
}

TEST(Clip, MinMaxInputsAndDefaults) {
  OneNode t(Op::kClip);
  t.input(DType::kFloat32, {4});
  t.constant(Tensor::scalar(0));
  t.constant(Tensor::scalar(6));
  auto out = t.run({Tensor::from_vector<float>({4}, {-3, 2, 6.5f, 6})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{0, 2, 6, 6}));

  OneNode only_max(Op::kClip);
  only_max.input(DType::kFloat32, {2});
  only_max.absent();
  only_max.constant(Tensor::scalar(1));
  auto y = only_max.run({Tensor::from_vector<float>({2}, {-100, 100})});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(values_of<float>((*y)[0]), (std::vector<float>{-100, 1}));
}

TEST(Clip, KeepsNaN) {
  OneNode t(Op::kClip);
  t.input(DType::kFloat32, {1});
  t.constant(Tensor::scalar(0));
  t.constant(Tensor::scalar(1));
  auto out = t.run({Tensor::from_vector<float>({1}, {std::numeric_limits<float>::quiet_NaN()})});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(std::isnan((*out)[0].data<float>()[0]));
}

}  // namespace
}  // namespace qatrt::testing
