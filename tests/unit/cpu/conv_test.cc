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
#include "node_harness.h"

namespace qatrt::cpu_test {
namespace {

struct ConvGeometry {
  int64_t n, c, k, h, w, r, s, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h, dilation_w,
      group;
  Shape output_shape() const {
    auto out = [](int64_t in, int64_t kernel, int64_t stride, int64_t pads, int64_t dilation) {
      return (in + pads - ((kernel - 1) * dilation + 1)) / stride + 1;
    };
    return {n, k, out(h, r, stride_h, pad_top + pad_bottom, dilation_h), out(w, s, stride_w, pad_left + pad_right,
                                                                              dilation_w)};
  }
  std::string text() const {
    std::ostringstream o;
    o << "N" << n << " C" << c << " K" << k << " HW" << h << "x" << w << " RS" << r << "x" << s << " stride "
      << stride_h << "," << stride_w << " pads " << pad_top << "," << pad_left << "," << pad_bottom << ","
      << pad_right << " dilation " << dilation_h << "," << dilation_w << " group " << group;
    return o.str();
  }
};

const std::vector<ConvGeometry> kGeometries = {
    // n  c   k   h   w  r  s sh sw pt pl pb pr dh dw  g
    {1, 3, 8, 15, 15, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1},      // ResNet stem shape, C = 3
    {1, 16, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},      // 3×3 same
    {2, 16, 32, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},      // 1×1, batch 2
    {1, 16, 32, 9, 9, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1},      // 1×1 stride 2 (ResNet downsample)
    {1, 16, 16, 9, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},     // 3×3 stride 2, odd sizes
    {1, 8, 16, 7, 7, 3, 3, 1, 1, 0, 1, 1, 0, 1, 1, 1},       // asymmetric pads
    {1, 8, 8, 9, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},        // dilation 2
    {1, 8, 8, 9, 9, 3, 3, 1, 2, 1, 0, 2, 1, 1, 2, 1},        // mixed strides / dilations / pads
    {1, 16, 16, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2},      // 2 groups
    {1, 16, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16},     // depthwise
    {1, 32, 32, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 32},     // depthwise stride 2
    {1, 8, 16, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8},       // depthwise, multiplier 2
    {1, 5, 7, 6, 5, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1},        // odd channels, 3×1 kernel
    {1, 64, 64, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},      // wider channels (VNNI blocking)
    {1, 12, 24, 11, 11, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1},    // 5×5 stride 2, uneven end padding
    {2, 4, 4, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1},        // output 1×1
};

struct ConvCase {
  ConvGeometry geo;
  Epilogue epi;
  uint32_t seed;
  std::string text() const { return geo.text() + " | " + epi.text() + " | seed " + std::to_string(seed); }
};

std::map<std::string, AttrValue> conv_attrs(const ConvGeometry& g, bool relu) {
  return {{"strides", std::vector<int64_t>{g.stride_h, g.stride_w}},
          {"pads", std::vector<int64_t>{g.pad_top, g.pad_left, g.pad_bottom, g.pad_right}},
          {"dilations", std::vector<int64_t>{g.dilation_h, g.dilation_w}},
          {"group", g.group},
          {"relu", static_cast<int64_t>(relu)}};
}

Graph qconv_graph(const ConvCase& cc, const QuantOperands& ops, DType out_type, std::optional<QuantParams> out_quant,
                  bool with_residual) {
  NodeGraph ng(Op::kQConv, conv_attrs(cc.geo, cc.epi.relu));
  add_quantized_inputs(ng, cc.epi, ops, with_residual);
  ng.output(out_type, cc.geo.output_shape(), out_quant);
  return ng.graph;
}

std::vector<Tensor> activation_inputs(const Graph& graph, const QuantOperands& ops) {
  std::vector<Tensor> in = {ops.x};
  if (graph.nodes[0].inputs.size() > 3 && graph.nodes[0].inputs[3] != kNoValue) in.push_back(ops.residual);
  return in;
}

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
      Graph graph = qconv_graph(cc, ops, kF32, std::nullopt, false);
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
      std::mt19937 rng(cc.seed);
      QuantOperands ops;
      ops.x = random_quantized(e.x_type, {g.n, g.c, g.h, g.w}, rng);
      ops.w = random_quantized(kS8, {g.k, g.c / g.group, g.r, g.s}, rng);
      std::uniform_real_distribution<float> w_scale(0.002f, 0.02f);
      for (int64_t k = 0; k < g.k; ++k) ops.w_scales.push_back(w_scale(rng));
      // Typical |acc · s_x · s_w|: sets the bias and residual ranges and, via a float run, the output scale.
      const float typical = ops.x_scale * 0.01f * 70.f * 70.f * std::sqrt(static_cast<float>(g.c / g.group * g.r * g.s));
      ops.bias = random_float({g.k}, rng, -typical, typical);
      Graph float_graph = qconv_graph(cc, ops, kF32, std::nullopt, false);
      auto float_out = run_on(*ref, float_graph, {ops.x});
      ASSERT_TRUE(float_out.ok()) << cc.text() << ": " << float_out.status().to_string();
      std::optional<QuantParams> out_quant =
          choose_output_and_residual(e, float_out->at(0), g.output_shape(), rng, ops);
      Graph graph = qconv_graph(cc, ops, e.out_type, out_quant, true);
      auto c = compare_with_reference(*cpu, *ref, graph, activation_inputs(graph, ops), EpilogueBounds::allowed(e));
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
