// QGemm and FusedGemm on the CPU backend (oneDNN matmul) against the reference backend: M × K × N sweep
// (incl. ResNet-50's FC, K = 2048, N = 1000) × the epilogue variants of epilogue_cases.h. Same bounds as the
// convolution tests: exact int32 accumulators, quantized outputs within 1 LSB (rarely), floats within 1e-5.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/int8_accumulate.h"
#include "backends/reference/reference_backend.h"
#include "epilogue_cases.h"
#include "node_harness.h"

namespace qatrt::cpu_test {
namespace {

struct GemmSize {
  int64_t m, k, n;
  std::string text() const {
    std::ostringstream o;
    o << "M" << m << " K" << k << " N" << n;
    return o.str();
  }
};

const std::vector<GemmSize> kSizes = {{1, 7, 1}, {3, 64, 10}, {17, 33, 40}, {4, 256, 64}, {2, 2048, 1000}};

struct GemmOperands {
  Tensor a, w, bias, residual;
  float a_scale = 0.05f;
  std::vector<float> w_scales;
  float residual_scale = 1.f;
};

Graph qgemm_graph(const GemmSize& size, const Epilogue& e, const GemmOperands& ops, DType out_type,
                  std::optional<QuantParams> out_quant, bool with_residual) {
  NodeGraph ng(Op::kQGemm, {{"relu", static_cast<int64_t>(e.relu)}});
  ng.input(e.x_type, ops.a.shape(), per_tensor(ops.a_scale, e.x_zero));
  ng.constant(ops.w, weight_quant(ops.w_scales, e.per_channel));
  const bool residual = with_residual && e.residual != Residual::kNone;
  if (e.bias)
    ng.constant(ops.bias);
  else if (residual)
    ng.absent();
  if (residual) {
    std::optional<QuantParams> rq;
    if (e.residual != Residual::kFloat) rq = per_tensor(ops.residual_scale, e.residual_zero);
    ng.input(ops.residual.dtype(), ops.residual.shape(), rq);
  }
  ng.output(out_type, {size.m, size.n}, out_quant);
  return ng.graph;
}

class CpuGemmTest : public ::testing::Test {
 protected:
  // One thread: hundreds of small kernels, where OpenMP's spin-waiting on a busy CI machine would cost far
  // more than the work; the pool and quantize tests cover the backend's own loops with two threads.
  std::unique_ptr<Backend> cpu = make_cpu_backend({.threads = 1});
  std::unique_ptr<Backend> ref = make_reference_backend();
};

TEST_F(CpuGemmTest, QGemmAccumulatorsAreExact) {
  int cases = 0;
  for (const GemmSize& size : kSizes)
    for (auto [a_type, a_zero] : std::vector<std::pair<DType, int64_t>>{{kS8, 0}, {kU8, 128}, {kS8, 9}}) {
      Epilogue e{a_type, a_zero, true, false, Residual::kNone, 0, false, kF32, 0, false};
      std::string text = size.text() + " | " + e.text();
      std::mt19937 rng(300u + cases++);
      GemmOperands ops;
      ops.a = random_quantized(a_type, {size.m, size.k}, rng);
      ops.w = random_quantized(kS8, {size.n, size.k}, rng);
      ops.a_scale = 1.f;
      ops.w_scales.assign(static_cast<size_t>(size.n), 1.f);
      Graph graph = qgemm_graph(size, e, ops, kF32, std::nullopt, false);
      auto got = run_on(*cpu, graph, {ops.a});
      ASSERT_TRUE(got.ok()) << text << ": " << got.status().to_string();
      auto acc = reference::qgemm_node_accumulators(graph, graph.nodes[0], ops.a.raw());
      ASSERT_TRUE(acc.ok()) << acc.status().to_string();
      Tensor want(kF32, {size.m, size.n});
      for (int64_t i = 0; i < want.numel(); ++i) want.data<float>()[i] = static_cast<float>((*acc)[i]);
      Comparison c = compare(got->at(0), want, 0);
      EXPECT_EQ(c.different, 0) << text << ": " << describe(c);
    }
  EXPECT_EQ(cases, static_cast<int>(kSizes.size()) * 3);
}

TEST_F(CpuGemmTest, QGemmMatchesReference) {
  int cases = 0;
  int64_t off_by_one = 0, compared = 0;
  for (const GemmSize& size : kSizes)
    for (const Epilogue& e : kEpilogues) {
      std::string text = size.text() + " | " + e.text() + " | seed " + std::to_string(2000 + cases);
      std::mt19937 rng(2000u + cases++);
      GemmOperands ops;
      ops.a = random_quantized(e.x_type, {size.m, size.k}, rng);
      ops.w = random_quantized(kS8, {size.n, size.k}, rng);
      std::uniform_real_distribution<float> w_scale(0.002f, 0.02f);
      for (int64_t n = 0; n < size.n; ++n) ops.w_scales.push_back(w_scale(rng));
      const float typical = ops.a_scale * 0.01f * 70.f * 70.f * std::sqrt(static_cast<float>(size.k));
      ops.bias = random_float({size.n}, rng, -typical, typical);
      auto float_out = run_on(*ref, qgemm_graph(size, e, ops, kF32, std::nullopt, false), {ops.a});
      ASSERT_TRUE(float_out.ok()) << text << ": " << float_out.status().to_string();
      const float y_max = std::max(max_abs(float_out->at(0)), 1e-3f);
      const float out_scale = y_max / (e.saturate ? 300.f : 110.f);
      ops.residual_scale = out_scale * 1.37f;
      if (e.residual == Residual::kFloat)
        ops.residual = random_float({size.m, size.n}, rng, -y_max / 2, y_max / 2);
      else if (e.residual != Residual::kNone)
        ops.residual = random_quantized(e.residual == Residual::kInt8 ? kS8 : kU8, {size.m, size.n}, rng);

      std::optional<QuantParams> out_quant;
      if (e.out_type != kF32) out_quant = per_tensor(out_scale, e.out_zero);
      Graph graph = qgemm_graph(size, e, ops, e.out_type, out_quant, true);
      std::vector<Tensor> inputs = {ops.a};
      if (e.residual != Residual::kNone) inputs.push_back(ops.residual);
      auto want = run_on(*ref, graph, inputs);
      ASSERT_TRUE(want.ok()) << text << ": " << want.status().to_string();
      auto got = run_on(*cpu, graph, inputs);
      ASSERT_TRUE(got.ok()) << text << ": " << got.status().to_string();
      Comparison c = compare(got->at(0), want->at(0), e.out_type == kF32 ? 1e-5 : 1.0);
      EXPECT_EQ(c.beyond, 0) << text << ": " << describe(c);
      if (e.out_type != kF32) {
        off_by_one += c.different;
        compared += c.count;
        EXPECT_LE(c.different, 1 + c.count / 200) << text << ": " << describe(c);
      }
    }
  EXPECT_EQ(cases, static_cast<int>(kSizes.size() * kEpilogues.size()));
  std::cout << "[ QGemm ] " << cases << " cases, quantized outputs off by 1 LSB: " << off_by_one << "/" << compared
            << "\n";
}

TEST_F(CpuGemmTest, FusedGemmMatchesReference) {
  int cases = 0;
  for (const GemmSize& size : kSizes)
    for (int variant = 0; variant < 4; ++variant) {
      const bool bias = variant != 1, residual = variant >= 2, relu = variant % 2 == 0;
      std::ostringstream text;
      text << size.text() << " | float, bias " << bias << ", residual " << residual << ", relu " << relu;
      std::mt19937 rng(6000u + cases++);
      NodeGraph ng(Op::kFusedGemm, {{"relu", static_cast<int64_t>(relu)}});
      Tensor a = random_float({size.m, size.k}, rng);
      ng.input(kF32, a.shape());
      ng.constant(random_float({size.n, size.k}, rng, -0.5f, 0.5f));
      if (bias)
        ng.constant(random_float({size.n}, rng));
      else if (residual)
        ng.absent();
      std::vector<Tensor> inputs = {a};
      if (residual) {
        inputs.push_back(random_float({size.m, size.n}, rng, -2.f, 2.f));
        ng.input(kF32, {size.m, size.n});
      }
      ng.output(kF32, {size.m, size.n});
      auto want = run_on(*ref, ng.graph, inputs);
      ASSERT_TRUE(want.ok()) << text.str() << ": " << want.status().to_string();
      auto got = run_on(*cpu, ng.graph, inputs);
      ASSERT_TRUE(got.ok()) << text.str() << ": " << got.status().to_string();
      Comparison c = compare(got->at(0), want->at(0), 1e-5);
      EXPECT_EQ(c.beyond, 0) << text.str() << ": " << describe(c);
    }
  EXPECT_EQ(cases, static_cast<int>(kSizes.size()) * 4);
}

}  // namespace
}  // namespace qatrt::cpu_test
