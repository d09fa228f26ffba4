// QuantizeLinear / DequantizeLinear / Requantize: round half to even, saturation, uint8 zero points, per-axis
// parameters (also on an NHWC buffer, since these kernels are layout-oblivious).
#include "backends/reference/kernel_util.h"
#include "one_node.h"

namespace qatrt::testing {
namespace {

using Ints = std::vector<int64_t>;
using Floats = std::vector<float>;

std::map<std::string, AttrValue> q_attrs(Floats scale, Ints zero_point, DType type, int64_t axis = 1) {
  return {{"scale", scale}, {"zero_point", zero_point}, {"axis", axis}, {"output_dtype", static_cast<int64_t>(type)}};
}

TEST(QuantizeLinear, RoundsHalfToEven) {
  OneNode t(Op::kQuantizeLinear, q_attrs({0.5f}, {0}, DType::kInt8));
  t.input(DType::kFloat32, {10});
  // x / 0.5 = 0.5, 1.5, 2.5, 3.5, −0.5, −1.5, −2.5, 0.4, 0.6, −2.6
  auto out = t.run({Tensor::from_vector<float>({10}, {0.25f, 0.75f, 1.25f, 1.75f, -0.25f, -0.75f, -1.25f, 0.2f, 0.3f, -1.3f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{0, 2, 2, 4, 0, -2, -2, 0, 1, -3}));
}

TEST(QuantizeLinear, SaturatesInt8) {
  OneNode t(Op::kQuantizeLinear, q_attrs({1.0f}, {10}, DType::kInt8));
  t.input(DType::kFloat32, {4});
  auto out = t.run({Tensor::from_vector<float>({4}, {1000.0f, -1000.0f, 117.0f, 117.5f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  // 117 + 10 = 127 fits; 117.5 rounds to 118 → 128 saturates.
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{127, -128, 127, 127}));
}

TEST(QuantizeLinear, Uint8ZeroPointAndSaturation) {
  OneNode t(Op::kQuantizeLinear, q_attrs({0.1f}, {128}, DType::kUInt8));
  t.input(DType::kFloat32, {5});
  auto out = t.run({Tensor::from_vector<float>({5}, {0.0f, 1.0f, -1.0f, 100.0f, -100.0f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<uint8_t>((*out)[0]), (std::vector<uint8_t>{128, 138, 118, 255, 0}));
}

TEST(QuantizeLinear, PerAxisAlongChannels) {
  OneNode t(Op::kQuantizeLinear, q_attrs({1.0f, 0.5f}, {0, 3}, DType::kInt8, 1));
  t.input(DType::kFloat32, {1, 2, 2});
  auto out = t.run({Tensor::from_vector<float>({1, 2, 2}, {1, 2, 1, 2})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{1, 2, 5, 7}));
}

TEST(QuantizeLinear, PerAxisAlongAxisZero) {
  OneNode t(Op::kQuantizeLinear, q_attrs({1.0f, 2.0f, 4.0f}, {0, 0, 0}, DType::kInt8, 0));
  t.input(DType::kFloat32, {3, 2});
  auto out = t.run({Tensor::from_vector<float>({3, 2}, {8, 8, 8, 8, 8, 8})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{8, 8, 4, 4, 2, 2}));
}

// The runtime may hand a kAny kernel an NHWC buffer: the channel must then be the innermost index.
TEST(QuantizeLinear, PerAxisHonoursNhwcBuffers) {
  OneNode t(Op::kQuantizeLinear, q_attrs({1.0f, 0.5f}, {0, 0}, DType::kInt8, 1));
  t.input(DType::kFloat32, {1, 2, 1, 2});
  ASSERT_TRUE(t.supports().ok());
  auto kernel = make_reference_backend()->create_kernel(t.graph, t.graph.nodes[0]);
  ASSERT_TRUE(kernel.ok()) << kernel.status().to_string();
  // Logical x[0, c, 0, w] = 1 for every element; NHWC memory order is (w0 c0, w0 c1, w1 c0, w1 c1).
  Tensor x = Tensor::from_vector<float>({1, 2, 1, 2}, {1, 1, 1, 1});
  Tensor y(DType::kInt8, {1, 2, 1, 2});
  TensorView in{.dtype = DType::kFloat32, .shape = {1, 2, 1, 2}, .data = x.raw(), .layout = Layout::kNhwc};
  TensorView out{.dtype = DType::kInt8, .shape = {1, 2, 1, 2}, .data = y.raw(), .layout = Layout::kNhwc};
  ASSERT_TRUE((*kernel)->run({&in, 1}, {&out, 1}).ok());
  EXPECT_EQ(values_of<int8_t>(y), (std::vector<int8_t>{1, 2, 1, 2}));
}

TEST(QuantizeLinear, RejectsMismatchedPerAxisLength) {
  OneNode t(Op::kQuantizeLinear, q_attrs({1.0f, 0.5f, 2.0f}, {0, 0, 0}, DType::kInt8, 1));
  t.input(DType::kFloat32, {1, 2, 2});
  Status s = t.supports();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("per-axis"), std::string::npos) << s.message();
}

TEST(DequantizeLinear, Int8Uint8Int32) {
  {
    OneNode t(Op::kDequantizeLinear, q_attrs({0.5f}, {-3}, DType::kInt8));
    t.input(DType::kInt8, {3});
    auto out = t.run({Tensor::from_vector<int8_t>({3}, {-128, -3, 127})});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{-62.5f, 0.0f, 65.0f}));
  }
  {
    OneNode t(Op::kDequantizeLinear, q_attrs({0.25f}, {200}, DType::kUInt8));
    t.input(DType::kUInt8, {3});
    auto out = t.run({Tensor::from_vector<uint8_t>({3}, {0, 200, 255})});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{-50.0f, 0.0f, 13.75f}));
  }
  {
    OneNode t(Op::kDequantizeLinear, q_attrs({0.001f, 0.002f}, {0, 0}, DType::kInt8, 0));
    t.input(DType::kInt32, {2});
    auto out = t.run({Tensor::from_vector<int32_t>({2}, {1000, -100000})});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{1000 * 0.001f, -100000 * 0.002f}));
  }
}

TEST(DequantizeLinear, QuantizeThenDequantizeIsWithinHalfAStep) {
  OneNode q(Op::kQuantizeLinear, q_attrs({0.03f}, {5}, DType::kInt8));
  q.input(DType::kFloat32, {64});
  std::vector<float> x(64);
  for (int i = 0; i < 64; ++i) x[i] = -1.5f + 0.047f * static_cast<float>(i);
  auto qout = q.run({Tensor::from_vector<float>({64}, x)});
  ASSERT_TRUE(qout.ok());
  OneNode d(Op::kDequantizeLinear, q_attrs({0.03f}, {5}, DType::kInt8));
  d.input(DType::kInt8, {64});
  auto dout = d.run({(*qout)[0]});
  ASSERT_TRUE(dout.ok());
  for (int i = 0; i < 64; ++i) EXPECT_NEAR((*dout)[0].data<float>()[i], x[i], 0.015f + 1e-6f) << "x = " << x[i];
}

TEST(Requantize, MapsBetweenScalesAndTypes) {
  OneNode t(Op::kRequantize);
  t.input(DType::kInt8, {4}, per_tensor(0.5f, 0));
  t.output(DType::kUInt8, per_tensor(0.25f, 100));
  // real = q · 0.5 → /0.25 + 100: −128 → −156 → 0 (saturate), 0 → 100, 3 → 106, 100 → 300 → 255.
  auto out = t.run({Tensor::from_vector<int8_t>({4}, {-128, 0, 3, 100})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<uint8_t>((*out)[0]), (std::vector<uint8_t>{0, 100, 106, 255}));
}

TEST(Requantize, RoundsHalfToEven) {
  OneNode t(Op::kRequantize);
  t.input(DType::kInt8, {4}, per_tensor(1.0f, 0));
  t.output(DType::kInt8, per_tensor(2.0f, 0));
  auto out = t.run({Tensor::from_vector<int8_t>({4}, {1, 3, 5, -3})});  // 0.5, 1.5, 2.5, −1.5
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{0, 2, 2, -2}));
}

}  // namespace
}  // namespace qatrt::testing
