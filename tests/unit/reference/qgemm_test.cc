// QGemm against "dequantize → float GEMM → quantize" computed here in double, and its exact int32
// accumulators against the test's own integer sum; sweeps M/N/K, int8/uint8 inputs with zero points,
// per-tensor / per-channel weights with zero points, bias, residual none / int8 / uint8 / float, relu and
// output int8 / uint8 / float.
#include <cmath>
#include <random>
#include <sstream>

#include "backends/reference/int8_accumulate.h"
#include "one_node.h"

namespace qatrt::testing {
namespace {

template <typename T>
Tensor random_ints(std::mt19937& rng, Shape shape) {
  std::uniform_int_distribution<int> dist(std::numeric_limits<T>::min(), std::numeric_limits<T>::max());
  std::vector<T> v(static_cast<size_t>(shape_numel(shape)));
  for (auto& e : v) e = static_cast<T>(dist(rng));
  return Tensor::from_vector<T>(std::move(shape), v);
}

TEST(QGemm, MatchesDequantizeGemmQuantizeOverSweep) {
  std::mt19937 rng(77);
  const DType types[] = {DType::kInt8, DType::kUInt8};
  for (int trial = 0; trial < 200; ++trial) {
    const int64_t m = 1 + rng() % 4, n = 1 + rng() % 9, k = 1 + rng() % 40;
    const DType a_type = types[rng() % 2];
    const int64_t a_zero = a_type == DType::kInt8 ? static_cast<int64_t>(rng() % 21) - 10 : 100 + rng() % 56;
    const bool per_channel = rng() % 2, w_zeros = rng() % 3 == 0, bias = rng() % 2, relu = rng() % 2;
    const int residual = static_cast<int>(rng() % 4);  // none, int8, uint8, float
    const int out = static_cast<int>(rng() % 3);       // float, int8, uint8
    std::ostringstream what;
    what << "M=" << m << " N=" << n << " K=" << k << " a " << dtype_name(a_type) << " z=" << a_zero
         << (per_channel ? " per-channel" : " per-tensor") << (w_zeros ? " w zero points" : "") << " bias=" << bias
         << " relu=" << relu << " residual=" << residual << " out=" << out;
    SCOPED_TRACE(what.str());

    Tensor a = a_type == DType::kInt8 ? random_ints<int8_t>(rng, {m, k}) : random_ints<uint8_t>(rng, {m, k});
    Tensor w = random_ints<int8_t>(rng, {n, k});
    QuantParams wq{{}, {}, 0};
    for (int64_t j = 0; j < (per_channel ? n : 1); ++j) {
      wq.scales.push_back(0.0031f + 0.00071f * static_cast<float>(rng() % 13));
      wq.zero_points.push_back(w_zeros ? static_cast<int64_t>(rng() % 7) - 3 : 0);
    }
    std::vector<float> bias_v(n);
    for (auto& b : bias_v) b = static_cast<float>(static_cast<int>(rng() % 2001) - 1000) * 0.00237f;
    const QuantParams aq = per_tensor(0.0173f, a_zero), rq = per_tensor(0.0291f, residual == 2 ? 128 : -4),
                      oq = per_tensor(0.0613f, out == 2 ? 131 : 2);
    Tensor r = residual == 1 ? random_ints<int8_t>(rng, {m, n}) : residual == 2 ? random_ints<uint8_t>(rng, {m, n})
                                                                               : Tensor(DType::kFloat32, {m, n});
    if (residual == 3)
      for (auto& e : r.values<float>()) e = static_cast<float>(static_cast<int>(rng() % 401) - 200) * 0.0137f;

    OneNode t(Op::kQGemm, {{"relu", int64_t{relu}}});
    t.input(a_type, {m, k}, aq);
    t.constant(w, wq);
    if (bias) t.constant(Tensor::from_vector<float>({n}, bias_v)); else t.absent();
    std::vector<Tensor> inputs{a};
    if (residual) {
      t.input(r.dtype(), {m, n}, residual == 3 ? std::nullopt : std::optional(rq));
      inputs.push_back(r);
    }
    const DType out_type = out == 0 ? DType::kFloat32 : out == 1 ? DType::kInt8 : DType::kUInt8;
    t.output(out_type, out ? std::optional(oq) : std::nullopt);
    auto y = t.run(inputs);
    ASSERT_TRUE(y.ok()) << y.status().to_string();
    auto acc = reference::qgemm_node_accumulators(t.graph, t.graph.nodes[0], a.raw());
    ASSERT_TRUE(acc.ok()) << acc.status().to_string();

    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const float sw = wq.scales[per_channel ? j : 0];
        const int64_t zw = wq.zero_points[per_channel ? j : 0];
        int64_t exact = 0;
        double real = 0;
        for (int64_t p = 0; p < k; ++p) {
          const int64_t qa = static_cast<int64_t>(a.as_double(i * k + p)), qw = w.data<int8_t>()[j * k + p];
          exact += (qa - a_zero) * (qw - zw);
          real += (qa - a_zero) * double(aq.scales[0]) * ((qw - zw) * double(sw));
        }
        ASSERT_EQ((*acc)[i * n + j], exact) << "accumulator at " << i << "," << j;
        double expected = real + (bias ? bias_v[j] : 0.0);
        if (residual == 1 || residual == 2) expected += (r.as_double(i * n + j) - rq.zero_points[0]) * double(rq.scales[0]);
        if (residual == 3) expected += r.data<float>()[i * n + j];
        if (relu) expected = std::max(expected, 0.0);
        const Tensor& got = (*y)[0];
        if (out == 0) {
          ASSERT_NEAR(got.data<float>()[i * n + j], expected, 1e-5 * (std::fabs(real) + 4)) << "at " << i << "," << j;
        } else {
          double qv = std::nearbyint(expected / oq.scales[0]) + oq.zero_points[0];
          qv = std::clamp(qv, double(quant_min(out_type)), double(quant_max(out_type)));
          ASSERT_LE(std::fabs(got.as_double(i * n + j) - qv), 1.0) << "at " << i << "," << j << ", real " << expected;
        }
      }
  }
}

// a = [[1, 2, 3]] (z = 1 → 0, 1, 2), w rows [1, 1, 1] and [2, 0, −1] with z_w = 0:
// acc = [3, −2]; s_a = 0.5, s_w = [1, 2] → y = [1.5, −2]; bias [0.5, 0] → [2, −2]; float output.
TEST(QGemm, HandComputed) {
  OneNode t(Op::kQGemm);
  t.input(DType::kInt8, {1, 3}, per_tensor(0.5f, 1));
  t.constant(Tensor::from_vector<int8_t>({2, 3}, {1, 1, 1, 2, 0, -1}), QuantParams{{1.0f, 2.0f}, {0, 0}, 0});
  t.constant(Tensor::from_vector<float>({2}, {0.5f, 0.0f}));
  t.output(DType::kFloat32);
  auto out = t.run({Tensor::from_vector<int8_t>({1, 3}, {1, 2, 3})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{2.0f, -2.0f}));
  auto acc = reference::qgemm_node_accumulators(t.graph, t.graph.nodes[0], Tensor::from_vector<int8_t>({1, 3}, {1, 2, 3}).raw());
  ASSERT_TRUE(acc.ok());
  EXPECT_EQ(*acc, (std::vector<int32_t>{3, -2}));
}

TEST(QGemm, RejectsWeightQuantizedAlongTheWrongAxis) {
  OneNode t(Op::kQGemm);
  t.input(DType::kInt8, {1, 2}, per_tensor(1.0f));
  t.constant(Tensor::from_vector<int8_t>({2, 2}, {1, 1, 1, 1}), QuantParams{{1.0f, 2.0f}, {0, 0}, 1});
  t.output(DType::kFloat32);
  Status s = t.supports();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("axis 1"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace qatrt::testing
