// MaxPool (float / int8 / uint8, padding, strides, dilations, ceil_mode), AveragePool (count_include_pad both
// ways), GlobalAveragePool.
#include "one_node.h"

namespace qatrt::testing {
namespace {

using Ints = std::vector<int64_t>;

const std::vector<float> k4x4 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

TEST(MaxPool, TwoByTwoStrideTwo) {
  OneNode t(Op::kMaxPool, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  t.input(DType::kFloat32, {1, 1, 4, 4});
  auto out = t.run({Tensor::from_vector<float>({1, 1, 4, 4}, k4x4)});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{6, 8, 14, 16}));
}

TEST(MaxPool, PaddingNeverWinsEvenForNegativeInputs) {
  OneNode t(Op::kMaxPool, {{"kernel_shape", Ints{3, 3}}, {"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}});
  t.input(DType::kFloat32, {1, 1, 2, 2});
  auto out = t.run({Tensor::from_vector<float>({1, 1, 2, 2}, {-4, -3, -2, -1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), std::vector<float>{-1});
}

TEST(MaxPool, Int8AndUint8) {
  OneNode s(Op::kMaxPool, {{"kernel_shape", Ints{2}}, {"pads", Ints{1, 0}}});
  s.input(DType::kInt8, {1, 1, 4}, per_tensor(0.1f, -3));
  auto out = s.run({Tensor::from_vector<int8_t>({1, 1, 4}, {-128, -100, 5, -7})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{-128, -100, 5, 5}));
  EXPECT_EQ(s.graph.value(s.graph.outputs[0]).quant, per_tensor(0.1f, -3));

  OneNode u(Op::kMaxPool, {{"kernel_shape", Ints{2, 2}}});
  u.input(DType::kUInt8, {1, 1, 2, 2}, per_tensor(0.1f, 128));
  auto y = u.run({Tensor::from_vector<uint8_t>({1, 1, 2, 2}, {0, 255, 3, 4})});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(values_of<uint8_t>((*y)[0]), std::vector<uint8_t>{255});
}

TEST(MaxPool, DilationAndCeilMode) {
  // kernel 2 dilation 2 over 1..4 (1-D, length 4): windows {1,3}, {2,4} → [3, 4]
  OneNode d(Op::kMaxPool, {{"kernel_shape", Ints{2}}, {"dilations", Ints{2}}});
  d.input(DType::kFloat32, {1, 1, 4});
  auto out = d.run({Tensor::from_vector<float>({1, 1, 4}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{3, 4}));
  // ceil_mode: length 5, kernel 2, stride 2 → 3 outputs, the last window holds only x[4].
  OneNode c(Op::kMaxPool, {{"kernel_shape", Ints{2}}, {"strides", Ints{2}}, {"ceil_mode", int64_t{1}}});
  c.input(DType::kFloat32, {1, 1, 5});
  auto y = c.run({Tensor::from_vector<float>({1, 1, 5}, {1, 5, 2, 0, -1})});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(values_of<float>((*y)[0]), (std::vector<float>{5, 2, -1}));
}

TEST(MaxPool, RejectsIndicesOutput) {
  OneNode t(Op::kMaxPool, {{"kernel_shape", Ints{2}}});
  t.input(DType::kFloat32, {1, 1, 4});
  t.output();
  t.output(DType::kInt64);
  Status s = t.supports();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("outputs"), std::string::npos) << s.message();
}

TEST(AveragePool, CountIncludePadBothWays) {
  // 1-D [2, 4], kernel 2, pads [1, 1] → windows {pad, 2}, {2, 4}, {4, pad}
  for (int64_t include : {0, 1}) {
    OneNode t(Op::kAveragePool, {{"kernel_shape", Ints{2}}, {"pads", Ints{1, 1}}, {"count_include_pad", include}});
    t.input(DType::kFloat32, {1, 1, 2});
    auto out = t.run({Tensor::from_vector<float>({1, 1, 2}, {2, 4})});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    const std::vector<float> expected = include ? std::vector<float>{1, 3, 2} : std::vector<float>{2, 3, 4};
    EXPECT_EQ(values_of<float>((*out)[0]), expected) << "count_include_pad " << include;
  }
}

TEST(AveragePool, TwoByTwo) {
  OneNode t(Op::kAveragePool, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  t.input(DType::kFloat32, {1, 1, 4, 4});
  auto out = t.run({Tensor::from_vector<float>({1, 1, 4, 4}, k4x4)});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{3.5f, 5.5f, 11.5f, 13.5f}));
}

TEST(GlobalAveragePool, MeanPerChannel) {
  OneNode t(Op::kGlobalAveragePool);
  t.input(DType::kFloat32, {1, 2, 2, 2});
  auto out = t.run({Tensor::from_vector<float>({1, 2, 2, 2}, {1, 2, 3, 4, -1, -1, -1, 7})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 2, 1, 1}));
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{2.5f, 1}));
}

}  // namespace
}  // namespace qatrt::testing
