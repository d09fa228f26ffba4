// QConv and FusedConv on the CPU backend (oneDNN, NHWC) against the reference backend (NCHW) on the same
// nodes: a sweep of geometries (strides, pads incl. asymmetric, dilations, groups incl. depthwise, 1×1 / 3×3 /
// 7×7 / non-square kernels, the C=3 stem) × epilogues (int8 / uint8 with zero points, per-channel and
// per-tensor weights, bias, residual int8 / uint8 / float / none, relu, int8 / uint8 / float output).
//   * int32 accumulators must match exactly (unit scales, no bias, float output: exact while |acc| < 2^24);
//   * quantized outputs may differ by 1 LSB where y / s_out lies within float rounding of a half-way point
//     (oneDNN folds the scales differently from the reference), and only rarely;
//   * float outputs agree to 1e-5 of the tensor's largest magnitude.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "backends/reference/int8_accumulate.h"
#include "epilogue_cases.h"
#include "quantized_cases.h"
#include "node_harness.h"

namespace qatrt::cpu_test {
namespace {

struct ConvCase {
  ConvGeometry geo;
  Epilogue epi;
  uint32_t seed;
  std::string text() const { return geo.text() + " | " + epi.text() + " | seed " + std::to_string(seed); }
};

using CpuConvTest = FusedOpSweepTest;

TEST_F(CpuConvTest, QConvAccumulatorsAreExact) {
  int cases = 0;
  for (const ConvGeometry& g : kGeometries)
    for (auto [x_type, x_zero] : std::vector<std::pair<DType, int64_t>>{{kS8, 0}, {kU8, 128}, {kU8, 0}, {kS8, -5}}) {
      ConvCase cc{g, {x_type, x_zero, true, false, Residual::kNone, 0, false, kF32, 0, false}, 7u + cases};
      std::mt19937 rng(cc.seed);
      QuantOperands ops;
      ops.x = random_quantized(x_type, {g.n, g.c, g.h, g.w}, rng);
      ops.w = random_quantized(kS8, {g.k, g.c / g.group, g.r, g.s}, rng);
      ops.x_scale = 1.f;
      ops.w_scales.assign(static_cast<size_t>(g.k), 1.f);
      Graph graph = qconv_graph(g, cc.epi, ops, kF32, std::nullopt, false);
      auto got = run_on(*cpu, graph, {ops.x});
      ASSERT_TRUE(got.ok()) << cc.text() << ": " << got.status().to_string();
      auto acc = reference::qconv_node_accumulators(graph, graph.nodes[0], ops.x.raw());
      ASSERT_TRUE(acc.ok()) << acc.status().to_string();
      Tensor want(kF32, g.output_shape());
      for (int64_t i = 0; i < want.numel(); ++i) {
        ASSERT_LT(std::abs((*acc)[i]), 1 << 24) << "accumulator not exactly representable in float: " << cc.text();
        want.data<float>()[i] = static_cast<float>((*acc)[i]);
      }
      Comparison c = compare(got->at(0), want, 0);
      EXPECT_EQ(c.different, 0) << cc.text() << ": " << describe(c);
      ++cases;
    }
  EXPECT_EQ(cases, static_cast<int>(kGeometries.size()) * 4);
}

TEST_F(CpuConvTest, QConvMatchesReference) {
  int cases = 0;
  EpilogueBounds bounds;
  for (const ConvGeometry& g : kGeometries)
    for (const Epilogue& e : kEpilogues) {
      ConvCase cc{g, e, 1000u + cases};
      ++cases;
      auto qc = qconv_case(g, e, cc.seed, *ref);
      ASSERT_TRUE(qc.ok()) << cc.text() << ": " << qc.status().to_string();
      auto c = compare_with_reference(*cpu, *ref, qc->graph, qc->inputs, EpilogueBounds::allowed(e));
      ASSERT_TRUE(c.ok()) << cc.text() << ": " << c.status().to_string();
      bounds.expect_within(e, *c, cc.text());
    }
  EXPECT_EQ(cases, static_cast<int>(kGeometries.size() * kEpilogues.size()));
  RecordProperty("quantized_outputs_off_by_one",
                 std::to_string(bounds.off_by_one) + "/" + std::to_string(bounds.compared));
  std::cout << "[ QConv ] " << cases << " cases, quantized outputs off by 1 LSB: " << bounds.off_by_one << "/"
            << bounds.compared << "\n";
}

TEST_F(CpuConvTest, FusedConvMatchesReference) {
  int cases = 0;
  for (const ConvGeometry& g : kGeometries)
    for (const FloatFusedVariant& v : kFloatFusedVariants) {
      const std::string text = g.text() + " | " + v.text();
      std::mt19937 rng(5000u + cases++);
      NodeGraph ng(Op::kFusedConv, conv_attrs(g, v.relu));
      std::vector<Tensor> inputs =
          add_float_fused_operands(ng, v, {g.n, g.c, g.h, g.w}, {g.k, g.c / g.group, g.r, g.s}, g.output_shape(), rng);
      auto c = compare_with_reference(*cpu, *ref, ng.graph, inputs, 1e-5);
      ASSERT_TRUE(c.ok()) << text << ": " << c.status().to_string();
      EXPECT_EQ(c->beyond, 0) << text << ": " << describe(*c);
    }
  EXPECT_EQ(cases, static_cast<int>(kGeometries.size()) * 4);
}

}  // namespace
}  // namespace qatrt::cpu_test
