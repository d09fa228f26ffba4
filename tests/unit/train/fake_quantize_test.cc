// Fake quantization against the closed form (GUIDE §2 and fake_quantize.h): forward equal to
// dequantize(quantize(x)) bit for bit, including ties and both saturated ends; the STE gradient's mask; the
// PACT amax gradient (and a finite-difference check where it is the true derivative); per-channel weights.
#include <gtest/gtest.h>

#include <torch/csrc/autograd/autograd.h>

#include <cmath>
#include <vector>

#include "core/quant.h"
#include "train/fake_quantize.h"

namespace qatrt {
namespace {

at::Tensor floats(const std::vector<float>& v) { return at::tensor(v, at::kFloat); }

// Values around every interesting point of the scale s: exact ties (k + 0.5)·s, their float neighbours,
// the saturation edges −128·s and 127·s (and ±0.5 step beyond), far outside, zero, negative zero.
std::vector<float> probe_values(float s) {
  std::vector<float> v = {0.0f, -0.0f, 1e-9f, -1e-9f, 1000.0f, -1000.0f};
  for (int k = -131; k <= 130; ++k) {
    const float tie = (static_cast<float>(k) + 0.5f) * s;
    v.push_back(tie);
    v.push_back(std::nextafter(tie, 1e9f));
    v.push_back(std::nextafter(tie, -1e9f));
    v.push_back(static_cast<float>(k) * s);
  }
  return v;
}

TEST(FakeQuantize, ForwardEqualsQuantizeDequantize) {
  for (float amax : {1.0f, 2.54f, 6.35f, 0.0317f, 100.0f}) {
    const float s = amax / 127.0f;
    std::vector<float> x = probe_values(s);
    at::Tensor y = fake_quantize(floats(x), at::scalar_tensor(amax, at::kFloat));
    for (size_t i = 0; i < x.size(); ++i) {
      const float expected = dequantize_value(quantize_value(x[i], s, 0, DType::kInt8), s, 0);
      ASSERT_EQ(y[static_cast<int64_t>(i)].item<float>(), expected) << "amax " << amax << " x " << x[i] << " (x/s " << x[i] / s << ")";
    }
  }
}

TEST(FakeQuantize, TiesRoundToEven) {
  at::Tensor y = fake_quantize(floats({0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f}), at::scalar_tensor(127.0f));  // s = 1
  std::vector<float> expected = {0.0f, 2.0f, 2.0f, -0.0f, -2.0f, -2.0f};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(y[static_cast<int64_t>(i)].item<float>(), expected[i]) << i;
}

TEST(FakeQuantize, ZeroAmaxUsesUnitScaleLikeTheRecipe) {
  at::Tensor y = fake_quantize(floats({0.0f, 0.004f, 0.006f, 5.0f}), at::scalar_tensor(0.0f));  // s = 1/127
  const float s = 1.0f / 127.0f;
  EXPECT_EQ(y[1].item<float>(), dequantize_value(quantize_value(0.004f, s, 0, DType::kInt8), s, 0));
  EXPECT_EQ(y[3].item<float>(), 127 * s);
}

TEST(FakeQuantize, StraightThroughGradientIsCutInTheClippedRegion) {
  const float amax = 2.54f, s = amax / 127.0f;
  std::vector<float> x = probe_values(s);
  at::Tensor input = floats(x).set_requires_grad(true);
  at::Tensor upstream = at::arange(1, static_cast<int64_t>(x.size()) + 1, at::kFloat);  // distinct per element
  (fake_quantize(input, at::scalar_tensor(amax)) * upstream).sum().backward();
  for (size_t i = 0; i < x.size(); ++i) {
    const float ratio = x[i] / s;
    const float expected = (ratio >= -128.0f && ratio <= 127.0f) ? upstream[static_cast<int64_t>(i)].item<float>() : 0.0f;
    ASSERT_EQ(input.grad()[static_cast<int64_t>(i)].item<float>(), expected) << "x " << x[i] << " (x/s " << ratio << ")";
  }
}

TEST(FakeQuantize, AmaxGradientIsPactsClippedRegionSlope) {
  const float amax = 1.27f, s = amax / 127.0f;  // s = 0.01
  std::vector<float> x = {0.3f, -0.7f, 1.5f, 2.0f, -1.3f, -3.0f, 1.2699f, -1.2799f};
  at::Tensor a = at::scalar_tensor(amax).set_requires_grad(true);
  at::Tensor upstream = floats({1, 2, 3, 4, 5, 6, 7, 8});
  (fake_quantize(floats(x), a) * upstream).sum().backward();
  double expected = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const float ratio = x[i] / s;
    if (ratio > 127.0f) expected += upstream[static_cast<int64_t>(i)].item<float>() * 127.0 / 127.0;
    if (ratio < -128.0f) expected += upstream[static_cast<int64_t>(i)].item<float>() * -128.0 / 127.0;
  }
  EXPECT_NEAR(a.grad().item<double>(), expected, 1e-5) << "clipped: 1.5, 2.0 (slope 1), -1.3, -3.0 (slope -128/127)";

  // Where every input is clipped, y = amax·q/127 with q fixed, so the PACT slope is the true derivative.
  std::vector<float> outside = {5.0f, -5.0f, 9.0f};
  auto loss = [&](double amax_value) {
    return fake_quantize(floats(outside), at::scalar_tensor(static_cast<float>(amax_value))).sum().item<double>();
  };
  at::Tensor b = at::scalar_tensor(amax).set_requires_grad(true);
  fake_quantize(floats(outside), b).sum().backward();
  const double h = 1e-3, numeric = (loss(amax + h) - loss(amax - h)) / (2 * h);
  EXPECT_NEAR(b.grad().item<double>(), numeric, 1e-3);
}

TEST(FakeQuantize, LearnedAmaxMovesTowardTheClippedValues) {
  // Values beyond the range pull amax up when the loss wants them larger (PACT's behaviour).
  at::Tensor a = at::scalar_tensor(1.0f).set_requires_grad(true);
  at::Tensor target = floats({3.0f, 2.5f});
  (fake_quantize(target, a) - target).pow(2).sum().backward();
  EXPECT_LT(a.grad().item<float>(), 0.0f) << "gradient descent must increase amax";
}

TEST(FakeQuantize, PerChannelWeightsUseEachChannelsMax) {
  // Weight [3, 2, 2]: channel 1 all zero (scale 1/127, stays zero), channel 2 with a tie.
  at::Tensor w = floats({0.5f, -1.0f, 0.25f, 0.1f, 0, 0, 0, 0, 2.54f, 0.03f, -0.01f, 1.0f}).reshape({3, 2, 2});
  at::Tensor amax = weight_amax(w, 0);
  ASSERT_EQ(amax.sizes(), (std::vector<int64_t>{3, 1, 1}));
  EXPECT_EQ(amax[0].item<float>(), 1.0f);
  EXPECT_EQ(amax[1].item<float>(), 0.0f);
  EXPECT_EQ(amax[2].item<float>(), 2.54f);
  at::Tensor wq = w.clone().set_requires_grad(true);
  at::Tensor y = fake_quantize_weight(wq, 0);
  at::Tensor flat = y.flatten(), src = w.flatten();
  for (int64_t i = 0; i < 12; ++i) {
    const float a = std::vector<float>{1.0f, 0.0f, 2.54f}[static_cast<size_t>(i / 4)];
    const float s = (a > 0 ? a : 1.0f) / 127.0f;
    ASSERT_EQ(flat[i].item<float>(), dequantize_value(quantize_value(src[i].item<float>(), s, 0, DType::kInt8), s, 0)) << "element " << i;
  }
  // Never clipped: the gradient is the identity, and none flows into the (recomputed, detached) range.
  y.sum().backward();
  EXPECT_TRUE(at::equal(wq.grad(), at::ones_like(w)));
  // Along another axis: axis 1 of [2, 3] → amax per column.
  at::Tensor m = floats({1, -4, 2, -3, 0.5f, 6}).reshape({2, 3});
  EXPECT_TRUE(at::equal(weight_amax(m, 1), floats({3, 4, 6}).reshape({1, 3})));
  EXPECT_EQ(weight_amax(m, -1).item<float>(), 6.0f);
}

}  // namespace
}  // namespace qatrt
