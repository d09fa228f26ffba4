// Conv / FusedConv (float): hand-computed cases, a sweep against a direct 2-D loop written here (groups,
// dilations, asymmetric pads, strides), 1-D and 3-D convs, and auto_pad computed by the kernel itself.
#include <random>
#include <sstream>

#include "one_node.h"

namespace qatrt::testing {
namespace {

using Ints = std::vector<int64_t>;

Tensor random_floats(std::mt19937& rng, Shape shape) {
  std::uniform_real_distribution<float> dist(-1, 1);
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (auto& e : v) e = dist(rng);
  return Tensor::from_vector<float>(std::move(shape), v);
}

// 3×3 input 1..9, 2×2 kernel [[1, 0], [0, −1]], stride 1, no pad: y = x[i][j] − x[i+1][j+1] = −4 everywhere;
// bias 10 → 6.
TEST(Conv, HandComputed) {
  OneNode t(Op::kConv);
  t.input(DType::kFloat32, {1, 1, 3, 3});
  t.constant(Tensor::from_vector<float>({1, 1, 2, 2}, {1, 0, 0, -1}));
  t.constant(Tensor::from_vector<float>({1}, {10}));
  auto out = t.run({Tensor::from_vector<float>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{1, 1, 2, 2}));
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{6, 6, 6, 6}));
}

TEST(Conv, SweepAgainstDirectLoop) {
  std::mt19937 rng(5);
  auto pick = [&](Ints o) { return o[rng() % o.size()]; };
  for (int trial = 0; trial < 150; ++trial) {
    const int64_t g = pick({1, 2, 3}), c = g * pick({1, 2}), k = g * pick({1, 2}), n = pick({1, 2});
    const int64_t h = pick({3, 5, 6}), w = pick({4, 7}), kh = pick({1, 2, 3}), kw = pick({1, 3});
    const int64_t sh = pick({1, 2}), sw = pick({1, 3}), dh = pick({1, 2}), dw = pick({1, 2});
    const Ints pads{pick({0, 1}), pick({0, 2}), pick({0, 1, 2}), pick({0, 1})};
    const int64_t eh = (kh - 1) * dh + 1, ew = (kw - 1) * dw + 1;
    if (h + pads[0] + pads[2] < eh || w + pads[1] + pads[3] < ew) continue;
    const int64_t oh = (h + pads[0] + pads[2] - eh) / sh + 1, ow = (w + pads[1] + pads[3] - ew) / sw + 1;
    std::ostringstream what;
    what << "x [" << n << "," << c << "," << h << "," << w << "] w [" << k << "," << c / g << "," << kh << "," << kw
         << "] group " << g << " strides " << sh << "x" << sw << " dilations " << dh << "x" << dw << " pads "
         << shape_to_string(pads);
    SCOPED_TRACE(what.str());
    Tensor x = random_floats(rng, {n, c, h, w}), wt = random_floats(rng, {k, c / g, kh, kw});
    OneNode t(Op::kConv, {{"group", g}, {"strides", Ints{sh, sw}}, {"dilations", Ints{dh, dw}}, {"pads", pads}});
    t.input(DType::kFloat32, x.shape());
    t.constant(wt);
    auto out = t.run({x});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    ASSERT_EQ((*out)[0].shape(), (Shape{n, k, oh, ow}));
    const float* px = x.data<float>();
    const float* pw = wt.data<float>();
    for (int64_t b = 0; b < n; ++b)
      for (int64_t ko = 0; ko < k; ++ko)
        for (int64_t i = 0; i < oh; ++i)
          for (int64_t j = 0; j < ow; ++j) {
            double sum = 0;
            const int64_t grp = ko / (k / g);
            for (int64_t ci = 0; ci < c / g; ++ci)
              for (int64_t r = 0; r < kh; ++r)
                for (int64_t s = 0; s < kw; ++s) {
                  int64_t y = i * sh - pads[0] + r * dh, xx = j * sw - pads[1] + s * dw;
                  if (y < 0 || y >= h || xx < 0 || xx >= w) continue;
                  sum += double(px[((b * c + grp * (c / g) + ci) * h + y) * w + xx]) * pw[((ko * (c / g) + ci) * kh + r) * kw + s];
                }
            ASSERT_NEAR((*out)[0].data<float>()[((b * k + ko) * oh + i) * ow + j], sum, 1e-5)
                << "at n=" << b << " k=" << ko << " y=" << i << " x=" << j;
          }
  }
}

// 1-D: x = [1, 2, 3, 4], kernel [1, 1], pads [1, 0]: y = [1, 3, 5, 7].
TEST(Conv, OneDimensional) {
  OneNode t(Op::kConv, {{"pads", Ints{1, 0}}});
  t.input(DType::kFloat32, {1, 1, 4});
  t.constant(Tensor::from_vector<float>({1, 1, 2}, {1, 1}));
  auto out = t.run({Tensor::from_vector<float>({1, 1, 4}, {1, 2, 3, 4})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{1, 3, 5, 7}));
}

// 3-D: a 2×2×2 kernel of ones over a 2×2×2 input sums it.
TEST(Conv, ThreeDimensional) {
  OneNode t(Op::kConv);
  t.input(DType::kFloat32, {1, 1, 2, 2, 2});
  t.constant(Tensor::from_vector<float>({1, 1, 2, 2, 2}, std::vector<float>(8, 1)));
  auto out = t.run({Tensor::from_vector<float>({1, 1, 2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), std::vector<float>{36});
}

// auto_pad left unresolved (no pads): SAME_UPPER on 4 with kernel 2, stride 1 pads [0, 1], SAME_LOWER [1, 0].
TEST(Conv, ComputesAutoPadWhenPadsAreMissing) {
  for (const char* mode : {"SAME_UPPER", "SAME_LOWER"}) {
    OneNode t(Op::kConv, {{"auto_pad", std::string(mode)}});
    t.input(DType::kFloat32, {1, 1, 4});
    t.constant(Tensor::from_vector<float>({1, 1, 2}, {1, 10}));
    ValueId y = t.output();
    t.graph.value(y).shape = {1, 1, 4};  // set by hand: shape inference would resolve auto_pad itself
    auto out = t.run({Tensor::from_vector<float>({1, 1, 4}, {1, 2, 3, 4})});
    ASSERT_TRUE(out.ok()) << mode << ": " << out.status().to_string();
    std::vector<float> expected = std::string(mode) == "SAME_UPPER" ? std::vector<float>{21, 32, 43, 4}
                                                                    : std::vector<float>{10, 21, 32, 43};
    EXPECT_EQ(values_of<float>((*out)[0]), expected) << mode;
  }
}

TEST(Conv, RejectsOutputShapeDisagreeingWithTheFormula) {
  OneNode t(Op::kConv);
  t.input(DType::kFloat32, {1, 1, 4});
  t.constant(Tensor::from_vector<float>({1, 1, 2}, {1, 1}));
  ValueId y = t.output();
  t.graph.value(y).shape = {1, 1, 4};  // the formula gives 3
  Status s = t.supports();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ONNX formula"), std::string::npos) << s.message();
}

// FusedConv epilogue order: + bias, + residual, then relu.
TEST(FusedConv, BiasResidualRelu) {
  OneNode t(Op::kFusedConv, {{"relu", int64_t{1}}});
  t.input(DType::kFloat32, {1, 2, 1, 1});
  t.constant(Tensor::from_vector<float>({2, 2, 1, 1}, {1, 0, 0, 1}));
  t.constant(Tensor::from_vector<float>({2}, {-1, 1}));
  t.input(DType::kFloat32, {1, 2, 1, 1});
  // ch0: 2 − 1 − 3 = −2 → 0;  ch1: 5 + 1 + 0.5 = 6.5
  auto out = t.run({Tensor::from_vector<float>({1, 2, 1, 1}, {2, 5}), Tensor::from_vector<float>({1, 2, 1, 1}, {-3, 0.5f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{0, 6.5f}));
}

TEST(Conv, RejectsGroupMismatchWithReason) {
  OneNode t(Op::kConv, {{"group", int64_t{2}}});
  t.input(DType::kFloat32, {1, 3, 2, 2});
  t.constant(Tensor(DType::kFloat32, {2, 1, 1, 1}));
  t.skip_inference = true;
  ValueId y = t.output();
  t.graph.value(y).shape = {1, 2, 2, 2};
  Status s = t.supports();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("group"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace qatrt::testing
