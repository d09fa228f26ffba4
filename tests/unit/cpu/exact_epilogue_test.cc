// QConv and QGemm built with exact rounding (attr "exact_rounding", src/ir/ops.h) on the CPU backend (oneDNN s32
// accumulators + a double epilogue, backends/cpu/exact_epilogue.h) and on the reference backend:
//   * a hand case whose y / s_out lies within 1e-7 of a half-way point, where float32 arithmetic rounds one
//     way and double the other: both backends give the double answer with the attribute and the reference
//     still gives the float32 answer without it;
//   * the geometry × epilogue sweeps of conv_test.cc / gemm_test.cc with exact_weight_scales / exact_bias
//     attributes that differ from the float32 scales and bias: CPU and reference agree bit for bit, int8 and
//     float outputs alike;
//   * malformed exact attributes are refused by both backends, naming the node.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "epilogue_cases.h"
#include "node_harness.h"
#include "quantized_cases.h"
#include "ir/exact_rounding.h"

namespace qatrt::cpu_test {
namespace {

void set_exact(Graph& graph) { graph.nodes[0].attrs[kExactRoundingAttr] = int64_t{1}; }

Tensor float64_tensor(const std::vector<double>& values) {
  return Tensor::from_vector<double>({static_cast<int64_t>(values.size())}, values);
}

// The hand case: x = [40, 1] (C = 2), three output channels with acc = 40·w[k][0] + w[k][1], s_x = 0.05,
// s_out = 0.02, no relu. Each channel puts acc·s_x·S[k] + B[k] a hair (5e-8 LSB or less) below a half-way
// point m + 0.5, where float32 arithmetic cannot tell it from the tie:
//   k = 0: acc 21, m = 51, the tie decided by B[0] (exact_bias, not a float32 value);
//   k = 1: acc −2000, m = −98, the tie decided by S[1] (exact_weight_scales, not a float32 value);
//   k = 2: acc −300, m = −27, S[2] and B[2] float32 values (no exact attribute changes anything): the double
//          evaluation alone decides.
struct TieCase {
  float s_x = 0.05f, s_out = 0.02f;
  std::vector<int32_t> acc = {21, -2000, -300};
  std::vector<int8_t> w = {0, 21, -50, 0, -7, -20};  // [3, 2]: acc[k] = 40·w[k][0] + w[k][1]
  std::vector<double> exact_scales, exact_bias;     // S[k], B[k]
  std::vector<float> w_scales, bias;                // what the float32 path computes with

  TieCase() {
    const double s_x_d = s_x, s_out_d = s_out;
    const double b0 = (51.5 - 5e-8) * s_out_d - acc[0] * (s_x_d * 0.01f);
    const double s1 = (-97.5 - 5e-8) * s_out_d / (acc[1] * s_x_d);
    const float s2 = 0.0123f;
    const float b2 = static_cast<float>((-26.5) * s_out_d - acc[2] * s_x_d * s2);
    exact_scales = {0.01f, s1, s2};
    exact_bias = {b0, 0.0, b2};
    w_scales = {0.01f, static_cast<float>(s1), s2};
    bias = {static_cast<float>(b0), 0.f, b2};
  }
  double exact_y(int k) const { return acc[k] * (static_cast<double>(s_x) * exact_scales[k]) + exact_bias[k]; }
  double exact_ratio(int k) const { return exact_y(k) / static_cast<double>(s_out); }  // as ops.h defines it
  int32_t exact_q(int k) const { return static_cast<int32_t>(std::nearbyint(exact_ratio(k))); }
  int32_t float_q(int k) const {  // the reference's float32 epilogue (quantized_layer.h)
    const float y = static_cast<float>(acc[k]) * (s_x * w_scales[k]) + bias[k];
    return static_cast<int32_t>(std::nearbyint(y / s_out));
  }
  Graph graph(Op op, DType out_type, bool exact) const {
    const bool conv = op == Op::kQConv;
    NodeGraph ng(op, {{"relu", int64_t{0}}});
    ng.input(DType::kInt8, conv ? Shape{1, 2, 1, 1} : Shape{1, 2}, per_tensor(s_x));
    Tensor weight = Tensor::from_vector<int8_t>(conv ? Shape{3, 2, 1, 1} : Shape{3, 2}, w);
    ng.constant(weight, weight_quant(w_scales, true));
    ng.constant(Tensor::from_vector<float>({3}, bias));
    std::optional<QuantParams> out_q;
    if (out_type != DType::kFloat32) out_q = per_tensor(s_out);
    ng.output(out_type, conv ? Shape{1, 3, 1, 1} : Shape{1, 3}, out_q);
    if (exact) {
      set_exact(ng.graph);
      ng.node().attrs[kExactWeightScalesAttr] = float64_tensor(exact_scales);
      ng.node().attrs[kExactBiasAttr] = float64_tensor(exact_bias);
    }
    return ng.graph;
  }
  Tensor input(Op op) const {
    return Tensor::from_vector<int8_t>(op == Op::kQConv ? Shape{1, 2, 1, 1} : Shape{1, 2}, {40, 1});
  }
};

using ExactEpilogueTest = FusedOpSweepTest;

TEST_F(ExactEpilogueTest, HalfWayCasesRoundAsDouble) {
  const TieCase tc;
  for (int k = 0; k < 3; ++k) {
    ASSERT_LT(std::abs(tc.exact_ratio(k) - (std::floor(tc.exact_ratio(k)) + 0.5)), 1e-7)
        << "channel " << k << ": y / s_out = " << tc.exact_ratio(k) << " is not within 1e-7 of a half-way point";
    ASSERT_NE(tc.exact_q(k), tc.float_q(k)) << "channel " << k << ": float32 and double agree, the case tests nothing";
  }
  for (Op op : {Op::kQConv, Op::kQGemm}) {
    for (Backend* backend : {cpu.get(), ref.get()}) {
      const std::string what = std::string(op_name(op)) + " on " + std::string(backend->name());
      auto exact = run_on(*backend, tc.graph(op, DType::kInt8, true), {tc.input(op)});
      ASSERT_TRUE(exact.ok()) << what << ": " << exact.status().to_string();
      for (int k = 0; k < 3; ++k)
        EXPECT_EQ(exact->at(0).data<int8_t>()[k], tc.exact_q(k))
            << what << ", exact, channel " << k << ": y / s_out = " << tc.exact_ratio(k);
      auto exact_float = run_on(*backend, tc.graph(op, DType::kFloat32, true), {tc.input(op)});
      ASSERT_TRUE(exact_float.ok()) << what << ": " << exact_float.status().to_string();
      for (int k = 0; k < 3; ++k)
        EXPECT_EQ(exact_float->at(0).data<float>()[k], static_cast<float>(tc.exact_y(k)))
            << what << ", exact float output, channel " << k;
    }
    auto today = run_on(*ref, tc.graph(op, DType::kInt8, false), {tc.input(op)});
    ASSERT_TRUE(today.ok()) << today.status().to_string();
    for (int k = 0; k < 3; ++k)
      EXPECT_EQ(today->at(0).data<int8_t>()[k], tc.float_q(k))
          << op_name(op) << " reference, float32 path, channel " << k;
  }
}

// Marks a sweep case exact, with S[k] and B[k] as fold_batchnorm would record them: a few 1e-8 off the float32
// weight scales and bias, each attribute present or absent (the fallbacks to the weight's scale and the bias).
void make_exact(Graph& graph, bool with_scales, bool with_bias, std::mt19937& rng) {
  set_exact(graph);
  Node& node = graph.nodes[0];
  const Value& w = graph.value(node.inputs[1]);
  const int64_t channels = w.shape[0];
  const bool has_bias = node.inputs.size() > 2 && node.inputs[2] != kNoValue;
  std::uniform_real_distribution<double> nudge(-4e-8, 4e-8);
  std::vector<double> scales, bias;
  for (int64_t k = 0; k < channels; ++k) {
    scales.push_back(w.quant->scale(k) * (1 + nudge(rng)));
    bias.push_back((has_bias ? graph.value(node.inputs[2]).constant->as_double(k) : 0.0) + nudge(rng));
  }
  if (with_scales) node.attrs[kExactWeightScalesAttr] = float64_tensor(scales);
  if (with_bias) node.attrs[kExactBiasAttr] = float64_tensor(bias);
}

std::string attrs_text(bool with_scales, bool with_bias) {
  return std::string(" | exact_weight_scales ") + (with_scales ? "set" : "absent") + ", exact_bias " +
         (with_bias ? "set" : "absent");
}

void expect_identical(Backend& cpu, Backend& ref, const QuantizedCase& qc, const std::string& text) {
  auto c = compare_with_reference(cpu, ref, qc.graph, qc.inputs, 0);
  ASSERT_TRUE(c.ok()) << text << ": " << c.status().to_string();
  EXPECT_EQ(c->different, 0) << text << ": " << describe(*c);
}

// Every (shape, epilogue) of a sweep as an exact case, built by make_case(shape, epilogue, seed, reference).
template <typename OpShape, typename MakeCase>
void expect_exact_sweep(Backend& cpu, Backend& ref, const std::vector<OpShape>& shapes, uint32_t first_seed,
                        MakeCase make_case) {
  int cases = 0;
  for (const OpShape& shape : shapes)
    for (const Epilogue& e : kEpilogues) {
      const uint32_t seed = first_seed + cases;
      const bool with_scales = cases % 2 == 0, with_bias = cases / 2 % 2 == 0;
      ++cases;
      const std::string text = shape.text() + " | " + e.text() + " | seed " + std::to_string(seed) +
                               attrs_text(with_scales, with_bias);
      auto qc = make_case(shape, e, seed, ref);
      ASSERT_TRUE(qc.ok()) << text << ": " << qc.status().to_string();
      std::mt19937 rng(seed);
      make_exact(qc->graph, with_scales, with_bias, rng);
      expect_identical(cpu, ref, *qc, text);
    }
}

TEST_F(ExactEpilogueTest, QConvMatchesReferenceBitForBit) {
  expect_exact_sweep(*cpu, *ref, kGeometries, 7000u, qconv_case);
}

TEST_F(ExactEpilogueTest, QGemmMatchesReferenceBitForBit) {
  expect_exact_sweep(*cpu, *ref, kSizes, 8000u, qgemm_case);
}

// Large enough (> 2^14 outputs) that the epilogue loop runs in parallel, on two threads.
TEST_F(ExactEpilogueTest, ParallelEpilogueMatchesReference) {
  std::unique_ptr<Backend> cpu2 = make_cpu_backend({.threads = 2});
  const std::vector<ConvGeometry> large = {{1, 16, 64, 20, 20, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1}};
  expect_exact_sweep(*cpu2, *ref, large, 7500u, qconv_case);
}

TEST_F(ExactEpilogueTest, MalformedExactAttributesAreRefused) {
  const TieCase tc;
  const std::vector<std::pair<std::string, AttrValue>> bad = {
      {kExactWeightScalesAttr, Tensor::from_vector<float>({3}, {0.01f, 0.01f, 0.01f})},  // float32
      {kExactWeightScalesAttr, float64_tensor({0.01, 0.01})},                            // 2 of 3 channels
      {kExactBiasAttr, float64_tensor({0, 0, 0, 0})},
      {kExactBiasAttr, int64_t{0}},  // not a tensor
  };
  for (Op op : {Op::kQConv, Op::kQGemm})
    for (const auto& [key, value] : bad) {
      Graph graph = tc.graph(op, DType::kInt8, true);
      graph.nodes[0].attrs[key] = value;
      for (Backend* backend : {cpu.get(), ref.get()}) {
        const Status status = backend->supports(graph, graph.nodes[0]);
        const std::string what = std::string(op_name(op)) + " on " + std::string(backend->name()) + ", bad " + key;
        ASSERT_FALSE(status.ok()) << what;
        EXPECT_NE(status.message().find(graph.nodes[0].describe()), std::string::npos)
            << what << ": " << status.message();
        EXPECT_NE(status.message().find(key), std::string::npos) << what << ": " << status.message();
      }
    }
}

}  // namespace
}  // namespace qatrt::cpu_test
