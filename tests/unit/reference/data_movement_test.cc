// Reshape / Flatten / Squeeze / Unsqueeze / Identity / Transpose / Pad / Concat, on float and int8 / uint8.
#include "one_node.h"

namespace qatrt::testing {
namespace {

using Ints = std::vector<int64_t>;

const Tensor kInt8_2x3 = Tensor::from_vector<int8_t>({2, 3}, {1, -2, 3, -4, 5, -6});

TEST(Copy, ReshapeFlattenSqueezeUnsqueezeIdentityKeepInt8Bytes) {
  {
    OneNode t(Op::kReshape);
    t.input(DType::kInt8, {2, 3});
    t.constant(Tensor::from_vector<int64_t>({2}, {3, -1}));
    auto out = t.run({kInt8_2x3});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{3, 2}));
    EXPECT_EQ(values_of<int8_t>((*out)[0]), values_of<int8_t>(kInt8_2x3));
  }
  {
    OneNode t(Op::kFlatten, {{"axis", int64_t{0}}});
    t.input(DType::kInt8, {2, 3});
    auto out = t.run({kInt8_2x3});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{1, 6}));
  }
  {
    OneNode t(Op::kUnsqueeze);
    t.input(DType::kInt8, {2, 3});
    t.constant(Tensor::from_vector<int64_t>({1}, {0}));
    auto out = t.run({kInt8_2x3});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{1, 2, 3}));
    OneNode s(Op::kSqueeze);
    s.input(DType::kInt8, {1, 2, 3});
    auto back = s.run({(*out)[0]});
    ASSERT_TRUE(back.ok()) << back.status().to_string();
    EXPECT_EQ((*back)[0].shape(), (Shape{2, 3}));
    EXPECT_EQ(values_of<int8_t>((*back)[0]), values_of<int8_t>(kInt8_2x3));
  }
  {
    OneNode t(Op::kIdentity);
    t.input(DType::kUInt8, {2});
    auto out = t.run({Tensor::from_vector<uint8_t>({2}, {7, 250})});
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(values_of<uint8_t>((*out)[0]), (std::vector<uint8_t>{7, 250}));
  }
}

TEST(Copy, ReshapeNeedsAConstantShape) {
  OneNode t(Op::kReshape);
  t.input(DType::kFloat32, {2, 3});
  t.input(DType::kInt64, {2});
  t.skip_inference = true;
  ValueId y = t.output();
  t.graph.value(y).shape = {3, 2};
  Status s = t.supports();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("constant"), std::string::npos) << s.message();
}

TEST(Transpose, PermAndDefault) {
  OneNode t(Op::kTranspose, {{"perm", Ints{1, 0}}});
  t.input(DType::kInt8, {2, 3});
  auto out = t.run({kInt8_2x3});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{1, -4, -2, 5, 3, -6}));

  // NCHW → NHWC on [1,2,1,2] float, then the default (reverse) perm on a 3-D tensor.
  OneNode nhwc(Op::kTranspose, {{"perm", Ints{0, 2, 3, 1}}});
  nhwc.input(DType::kFloat32, {1, 2, 1, 2});
  auto y = nhwc.run({Tensor::from_vector<float>({1, 2, 1, 2}, {0, 1, 10, 11})});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(values_of<float>((*y)[0]), (std::vector<float>{0, 10, 1, 11}));

  OneNode rev(Op::kTranspose);
  rev.input(DType::kInt32, {1, 2, 3});
  auto z = rev.run({Tensor::from_vector<int32_t>({1, 2, 3}, {0, 1, 2, 3, 4, 5})});
  ASSERT_TRUE(z.ok()) << z.status().to_string();
  EXPECT_EQ((*z)[0].shape(), (Shape{3, 2, 1}));
  EXPECT_EQ(values_of<int32_t>((*z)[0]), (std::vector<int32_t>{0, 3, 1, 4, 2, 5}));
}

TEST(Pad, ConstantWithInt8ValueReflectEdge) {
  {
    OneNode t(Op::kPad);
    t.input(DType::kInt8, {1, 3});
    t.constant(Tensor::from_vector<int64_t>({4}, {0, 1, 0, 2}));
    t.constant(Tensor::from_vector<int8_t>({}, {-5}));  // the zero point of a quantized tensor
    auto out = t.run({Tensor::from_vector<int8_t>({1, 3}, {1, 2, 3})});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{-5, 1, 2, 3, -5, -5}));
  }
  {
    OneNode t(Op::kPad, {{"mode", std::string("reflect")}});
    t.input(DType::kFloat32, {3});
    t.constant(Tensor::from_vector<int64_t>({2}, {2, 2}));
    auto out = t.run({Tensor::from_vector<float>({3}, {1, 2, 3})});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{3, 2, 1, 2, 3, 2, 1}));
  }
  {
    OneNode t(Op::kPad, {{"mode", std::string("edge")}});
    t.input(DType::kUInt8, {2, 1});
    t.constant(Tensor::from_vector<int64_t>({4}, {1, 1, 0, 1}));
    auto out = t.run({Tensor::from_vector<uint8_t>({2, 1}, {7, 9})});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{3, 3}));
    EXPECT_EQ(values_of<uint8_t>((*out)[0]), (std::vector<uint8_t>{7, 7, 7, 7, 7, 7, 9, 9, 9}));
  }
}

TEST(Pad, NegativePadsCrop) {
  OneNode t(Op::kPad);
  t.input(DType::kFloat32, {4});
  t.constant(Tensor::from_vector<int64_t>({2}, {-1, 1}));
  auto out = t.run({Tensor::from_vector<float>({4}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{2, 3, 4, 0}));
}

TEST(Concat, ChannelsInt8AndLastAxis) {
  OneNode t(Op::kConcat, {{"axis", int64_t{1}}});
  t.input(DType::kInt8, {2, 1});
  t.input(DType::kInt8, {2, 2});
  auto out = t.run({Tensor::from_vector<int8_t>({2, 1}, {1, 2}), Tensor::from_vector<int8_t>({2, 2}, {3, 4, 5, 6})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{1, 3, 4, 2, 5, 6}));

  OneNode neg(Op::kConcat, {{"axis", int64_t{-2}}});
  neg.input(DType::kFloat32, {1, 2});
  neg.constant(Tensor::from_vector<float>({1, 2}, {9, 9}));
  auto y = neg.run({Tensor::from_vector<float>({1, 2}, {1, 2})});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(values_of<float>((*y)[0]), (std::vector<float>{1, 2, 9, 9}));
}

}  // namespace
}  // namespace qatrt::testing
