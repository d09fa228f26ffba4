// QConv against "dequantize → float conv → quantize" computed here independently (double precision, padding
// read as the zero point, i.e. 0 after dequantization), and the exact int32 accumulators against the test's
// own integer sum. Sweeps stride / pads / group / dilation, per-channel scales and zero points, int8/uint8
// input, residual none / int8 / float, relu, output int8 / uint8 / float. A failure prints the whole case.
#include <cmath>
#include <random>
#include <sstream>

#include "backends/reference/int8_accumulate.h"
#include "one_node.h"

namespace qatrt::testing {
namespace {

enum class Residual { kNone, kInt8, kFloat };

struct QConvCase {
  int64_t n, c, h, w, k, kh, kw, stride_h, stride_w, dil_h, dil_w, group;
  std::vector<int64_t> pads;  // top, left, bottom, right
  DType x_type;
  int64_t x_zero;
  bool per_channel, weight_zero_points, bias, relu;
  Residual residual;
  DType out_type;

  std::string describe() const {
    std::ostringstream s;
    s << "x [" << n << "," << c << "," << h << "," << w << "] " << dtype_name(x_type) << " z=" << x_zero << ", w ["
      << k << "," << c / group << "," << kh << "," << kw << "] " << (per_channel ? "per-channel" : "per-tensor")
      << (weight_zero_points ? " with zero points" : "") << ", stride " << stride_h << "x" << stride_w
      << ", dilation " << dil_h << "x" << dil_w << ", pads " << shape_to_string(pads) << ", group " << group
      << ", bias " << bias << ", relu " << relu << ", residual "
      << (residual == Residual::kNone ? "none" : residual == Residual::kInt8 ? "int8" : "float") << ", out "
      << dtype_name(out_type);
    return s.str();
  }
  // 0 when the dilated kernel does not fit the padded input (the case is then skipped).
  int64_t out_h() const { return out_size(h + pads[0] + pads[2], (kh - 1) * dil_h + 1, stride_h); }
  int64_t out_w() const { return out_size(w + pads[1] + pads[3], (kw - 1) * dil_w + 1, stride_w); }
  static int64_t out_size(int64_t padded, int64_t extent, int64_t stride) {
    return padded < extent ? 0 : (padded - extent) / stride + 1;
  }
};

template <typename T>
Tensor random_tensor(std::mt19937& rng, Shape shape, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<T> v(static_cast<size_t>(shape_numel(shape)));
  for (auto& e : v) e = static_cast<T>(dist(rng));
  return Tensor::from_vector<T>(std::move(shape), v);
}

Tensor random_float(std::mt19937& rng, Shape shape, float scale) {
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (auto& e : v) e = dist(rng);
  return Tensor::from_vector<float>(std::move(shape), v);
}

QConvCase random_case(std::mt19937& rng) {
  auto pick = [&](std::vector<int64_t> options) { return options[rng() % options.size()]; };
  QConvCase q;
  q.group = pick({1, 1, 2, 4});
  q.c = q.group * pick({1, 2, 3});
  q.k = q.group * pick({1, 2, 3});
  if (rng() % 4 == 0) q.c = q.k = q.group = pick({3, 4});  // depthwise
  q.n = pick({1, 2});
  q.h = pick({4, 5, 7});
  q.w = pick({3, 6, 8});
  q.kh = pick({1, 2, 3});
  q.kw = pick({1, 3});
  q.stride_h = pick({1, 2});
  q.stride_w = pick({1, 2, 3});
  q.dil_h = pick({1, 2});
  q.dil_w = pick({1, 1, 2});
  q.pads = {pick({0, 1, 2}), pick({0, 1}), pick({0, 1}), pick({0, 2})};
  q.x_type = rng() % 2 ? DType::kInt8 : DType::kUInt8;
  q.x_zero = q.x_type == DType::kInt8 ? pick({0, 0, -5, 17}) : pick({0, 128, 100});
  q.per_channel = rng() % 2;
  q.weight_zero_points = rng() % 4 == 0;
  q.bias = rng() % 2;
  q.relu = rng() % 2;
  q.residual = static_cast<Residual>(rng() % 3);
  q.out_type = pick({0, 1, 2}) == 0 ? DType::kFloat32 : (rng() % 2 ? DType::kInt8 : DType::kUInt8);
  return q;
}

void check_case(const QConvCase& q, std::mt19937& rng) {
  SCOPED_TRACE(q.describe());
  const int64_t oh = q.out_h(), ow = q.out_w();
  if (oh < 1 || ow < 1) return;
  const int64_t cg = q.c / q.group, kg = q.k / q.group;
  // Scales are "ugly" numbers: with round decimal scales many results sit exactly on a rounding tie, where a
  // float and a double evaluation legitimately round apart.
  const float x_scale = 0.0513f;
  Tensor x = q.x_type == DType::kInt8 ? random_tensor<int8_t>(rng, {q.n, q.c, q.h, q.w}, -128, 127)
                                      : random_tensor<uint8_t>(rng, {q.n, q.c, q.h, q.w}, 0, 255);
  Tensor w = random_tensor<int8_t>(rng, {q.k, cg, q.kh, q.kw}, -127, 127);
  QuantParams wq;
  wq.axis = 0;
  for (int64_t k = 0; k < (q.per_channel ? q.k : 1); ++k) {
    wq.scales.push_back(0.00213f * static_cast<float>(1 + (rng() % 7)) + 0.0001f * static_cast<float>(rng() % 11));
    wq.zero_points.push_back(q.weight_zero_points ? static_cast<int64_t>(rng() % 9) - 4 : 0);
  }
  Tensor bias = random_float(rng, {q.k}, 2.0f);
  const Shape y_shape{q.n, q.k, oh, ow};
  const QuantParams rq = per_tensor(0.0417f, 3);
  Tensor residual = q.residual == Residual::kInt8 ? random_tensor<int8_t>(rng, y_shape, -128, 127)
                                                  : random_float(rng, y_shape, 3.0f);
  const QuantParams oq = per_tensor(0.1031f, q.out_type == DType::kUInt8 ? 120 : -7);

  OneNode t(Op::kQConv, {{"strides", std::vector<int64_t>{q.stride_h, q.stride_w}},
                         {"dilations", std::vector<int64_t>{q.dil_h, q.dil_w}},
                         {"pads", q.pads},
                         {"group", q.group},
                         {"relu", int64_t{q.relu}}});
  t.input(q.x_type, x.shape(), per_tensor(x_scale, q.x_zero));
  t.constant(w, wq);
  if (q.bias) t.constant(bias); else t.absent();
  std::vector<Tensor> inputs{x};
  if (q.residual != Residual::kNone) {
    t.input(residual.dtype(), y_shape, q.residual == Residual::kInt8 ? std::optional(rq) : std::nullopt);
    inputs.push_back(residual);
  }
  t.output(q.out_type, is_quantized_type(q.out_type) ? std::optional(oq) : std::nullopt);
  auto outputs = t.run(inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status().to_string();
  const Tensor& y = (*outputs)[0];
  ASSERT_EQ(y.shape(), y_shape);
  auto acc = reference::qconv_node_accumulators(t.graph, t.graph.nodes[0], x.raw());
  ASSERT_TRUE(acc.ok()) << acc.status().to_string();

  int64_t off_by_one = 0;
  for (int64_t n = 0; n < q.n; ++n)
    for (int64_t k = 0; k < q.k; ++k)
      for (int64_t i = 0; i < oh; ++i)
        for (int64_t j = 0; j < ow; ++j) {
          const int64_t g = k / kg;
          const float sw = wq.scales[q.per_channel ? k : 0];
          const int64_t zw = wq.zero_points[q.per_channel ? k : 0];
          int64_t exact = 0;  // Σ (q_x − z_x)(q_w − z_w), padding = z_x
          double real = 0;    // Σ dq(x)·dq(w)
          for (int64_t cc = 0; cc < cg; ++cc)
            for (int64_t r = 0; r < q.kh; ++r)
              for (int64_t s = 0; s < q.kw; ++s) {
                const int64_t ih = i * q.stride_h - q.pads[0] + r * q.dil_h;
                const int64_t iw = j * q.stride_w - q.pads[1] + s * q.dil_w;
                const int64_t ic = g * cg + cc;
                int64_t qx = q.x_zero;
                if (ih >= 0 && ih < q.h && iw >= 0 && iw < q.w) qx = static_cast<int64_t>(x.as_double(((n * q.c + ic) * q.h + ih) * q.w + iw));
                const int64_t qw = static_cast<int64_t>(w.as_double(((k * cg + cc) * q.kh + r) * q.kw + s));
                exact += (qx - q.x_zero) * (qw - zw);
                real += (static_cast<double>(qx - q.x_zero) * x_scale) * (static_cast<double>(qw - zw) * sw);
              }
          const int64_t o = ((n * q.k + k) * oh + i) * ow + j;
          ASSERT_EQ((*acc)[o], exact) << "accumulator at n=" << n << " k=" << k << " y=" << i << " x=" << j;
          double expected = real;
          if (q.bias) expected += bias.data<float>()[k];
          if (q.residual == Residual::kInt8) expected += (residual.data<int8_t>()[o] - rq.zero_points[0]) * double(rq.scales[0]);
          if (q.residual == Residual::kFloat) expected += residual.data<float>()[o];
          if (q.relu) expected = std::max(expected, 0.0);
          if (q.out_type == DType::kFloat32) {
            ASSERT_NEAR(y.data<float>()[o], expected, 1e-5 * (std::fabs(real) + 8))
                << "at n=" << n << " k=" << k << " y=" << i << " x=" << j;
          } else {
            double qv = std::nearbyint(expected / oq.scales[0]) + oq.zero_points[0];
            qv = std::clamp(qv, double(quant_min(q.out_type)), double(quant_max(q.out_type)));
            int64_t diff = std::llabs(static_cast<int64_t>(y.as_double(o)) - static_cast<int64_t>(qv));
            // float vs double epilogue may differ only at a rounding tie.
            ASSERT_LE(diff, 1) << "at n=" << n << " k=" << k << " y=" << i << " x=" << j << ": got " << y.as_double(o)
                               << ", expected " << qv << " (y real " << expected << ")";
            off_by_one += diff;
          }
        }
  EXPECT_LE(off_by_one, 1 + y.numel() / 100) << "too many one-step differences for rounding noise";
}

TEST(QConv, MatchesDequantizeConvQuantizeOverSweep) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 300; ++i) {
    QConvCase q = random_case(rng);
    check_case(q, rng);
    if (::testing::Test::HasFatalFailure()) return;
  }
}

// 1×1 input channel, 2×2 kernel of ones, no padding, x = 1..9 (z_x = 1), per-tensor scales: by hand,
// acc = sums of 2×2 windows of (x − 1) = [[8, 12], [20, 24]], y = acc · 0.5 · 0.25, quantized with s_out = 0.5.
TEST(QConv, HandComputedWindowSums) {
  OneNode t(Op::kQConv, {{"strides", std::vector<int64_t>{1, 1}}});
  t.input(DType::kInt8, {1, 1, 3, 3}, per_tensor(0.5f, 1));
  t.constant(Tensor::from_vector<int8_t>({1, 1, 2, 2}, {1, 1, 1, 1}), per_tensor(0.25f));
  t.absent();
  t.output(DType::kInt8, per_tensor(0.5f, 0));
  auto out = t.run({Tensor::from_vector<int8_t>({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  // y = [1, 1.5, 2.5, 3] → /0.5 → [2, 3, 5, 6]
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{2, 3, 5, 6}));
}

// Padding reads the zero point: a 3×3 kernel of ones over a 1×1 input with pad 1 sums only the centre.
TEST(QConv, PaddingContributesZeroWithNonzeroZeroPoint) {
  OneNode t(Op::kQConv, {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  t.input(DType::kUInt8, {1, 1, 1, 1}, per_tensor(1.0f, 128));
  t.constant(Tensor::from_vector<int8_t>({1, 1, 3, 3}, std::vector<int8_t>(9, 1)), per_tensor(1.0f));
  t.absent();
  t.output(DType::kFloat32);
  auto out = t.run({Tensor::from_vector<uint8_t>({1, 1, 1, 1}, {130})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), std::vector<float>{2.0f});
}

// Epilogue order: bias, then residual, then relu, then requantize with saturation.
TEST(QConv, EpilogueOrderBiasResidualReluSaturate) {
  OneNode t(Op::kQConv, {{"relu", int64_t{1}}});
  t.input(DType::kInt8, {1, 2, 1, 1}, per_tensor(1.0f));
  t.constant(Tensor::from_vector<int8_t>({2, 2, 1, 1}, {1, 0, 0, 1}), QuantParams{{1.0f, 2.0f}, {0, 0}, 0});
  t.constant(Tensor::from_vector<float>({2}, {-3.0f, 1.0f}));
  t.input(DType::kFloat32, {1, 2, 1, 1});
  t.output(DType::kInt8, per_tensor(0.5f));
  // channel 0: 2·1 − 3 + 0.5 = −0.5 → relu 0;  channel 1: 100·2 + 1 − 1 = 200 → /0.5 = 400 → saturates at 127.
  auto out = t.run({Tensor::from_vector<int8_t>({1, 2, 1, 1}, {2, 100}),
                    Tensor::from_vector<float>({1, 2, 1, 1}, {0.5f, -1.0f})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<int8_t>((*out)[0]), (std::vector<int8_t>{0, 127}));
}

TEST(QConv, RejectsPerAxisInputWithReason) {
  OneNode t(Op::kQConv);
  t.input(DType::kInt8, {1, 2, 1, 1}, QuantParams{{1.0f, 2.0f}, {0, 0}, 1});
  t.constant(Tensor::from_vector<int8_t>({1, 2, 1, 1}, {1, 1}), per_tensor(1.0f));
  t.output(DType::kFloat32);
  Status s = t.supports();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("per-tensor"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace qatrt::testing
