// QGemm and FusedGemm on the CPU backend (oneDNN matmul) against the reference backend: M × K × N sweep
// (incl. ResNet-50's FC, K = 2048, N = 1000) × the epilogue variants of epilogue_cases.h. Same bounds as the
// convolution tests: exact int32 accumulators, quantized outputs within 1 LSB (rarely), floats within 1e-5.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "backends/reference/int8_accumulate.h"
#include "epilogue_cases.h"
#include "quantized_cases.h"
#include "node_harness.h"

namespace qatrt::cpu_test {
namespace {

using CpuGemmTest = FusedOpSweepTest;

TEST_F(CpuGemmTest, QGemmAccumulatorsAreExact) {
  int cases = 0;
  for (const GemmSize& size : kSizes)
    for (auto [a_type, a_zero] : std::vector<std::pair<DType, int64_t>>{{kS8, 0}, {kU8, 128}, {kS8, 9}}) {
      Epilogue e{a_type, a_zero, true, false, Residual::kNone, 0, false, kF32, 0, false};
      std::string text = size.text() + " | " + e.text();
      std::mt19937 rng(300u + cases++);
      QuantOperands ops;
      ops.x = random_quantized(a_type, {size.m, size.k}, rng);
      ops.w = random_quantized(kS8, {size.n, size.k}, rng);
      ops.x_scale = 1.f;
      ops.w_scales.assign(static_cast<size_t>(size.n), 1.f);
      Graph graph = qgemm_graph(size, e, ops, kF32, std::nullopt, false);
      auto got = run_on(*cpu, graph, {ops.x});
      ASSERT_TRUE(got.ok()) << text << ": " << got.status().to_string();
      auto acc = reference::qgemm_node_accumulators(graph, graph.nodes[0], ops.x.raw());
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
  EpilogueBounds bounds;
  for (const GemmSize& size : kSizes)
    for (const Epilogue& e : kEpilogues) {
      std::string text = size.text() + " | " + e.text() + " | seed " + std::to_string(2000 + cases);
      auto qc = qgemm_case(size, e, 2000u + cases++, *ref);
      ASSERT_TRUE(qc.ok()) << text << ": " << qc.status().to_string();
      auto c = compare_with_reference(*cpu, *ref, qc->graph, qc->inputs, EpilogueBounds::allowed(e));
      ASSERT_TRUE(c.ok()) << text << ": " << c.status().to_string();
      bounds.expect_within(e, *c, text);
    }
  EXPECT_EQ(cases, static_cast<int>(kSizes.size() * kEpilogues.size()));
  std::cout << "[ QGemm ] " << cases << " cases, quantized outputs off by 1 LSB: " << bounds.off_by_one << "/"
            << bounds.compared << "\n";
}

TEST_F(CpuGemmTest, FusedGemmMatchesReference) {
  int cases = 0;
  for (const GemmSize& size : kSizes)
    for (const FloatFusedVariant& v : kFloatFusedVariants) {
      const std::string text = size.text() + " | " + v.text();
      std::mt19937 rng(6000u + cases++);
      NodeGraph ng(Op::kFusedGemm, {{"relu", static_cast<int64_t>(v.relu)}});
      std::vector<Tensor> inputs =
          add_float_fused_operands(ng, v, {size.m, size.k}, {size.n, size.k}, {size.m, size.n}, rng);
      auto c = compare_with_reference(*cpu, *ref, ng.graph, inputs, 1e-5);
      ASSERT_TRUE(c.ok()) << text << ": " << c.status().to_string();
      EXPECT_EQ(c->beyond, 0) << text << ": " << describe(*c);
    }
  EXPECT_EQ(cases, static_cast<int>(kSizes.size()) * 4);
}

}  // namespace
}  // namespace qatrt::cpu_test
