// The "cpu" engine (oneDNN backend + reference fallback) against the "reference" engine on a small quantized
// network with a residual, a pool, a fallback op and a float tail. INT8 outputs may differ by one step where
// the two epilogues round a near-tie apart; float outputs agree to a relative tolerance.
#include <gtest/gtest.h>

#include <cmath>

#include "runtime/engine.h"
#include "test_graph.h"

namespace qatrt::testing {
namespace {

using Ints = std::vector<int64_t>;

Tensor random_int8(Shape shape, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> dist(-127, 127);
  std::vector<int8_t> v(static_cast<size_t>(shape_numel(shape)));
  for (auto& e : v) e = static_cast<int8_t>(dist(rng));
  return Tensor::from_vector<int8_t>(std::move(shape), v);
}

void make_quantized(Graph& g, ValueId id, DType type, QuantParams q) {
  g.value(id).dtype = type;
  g.value(id).quant = std::move(q);
}

// x → Q → QConv 3×3 (+bias, relu, int8 out) → MaxPool → QConv 1×1 (+int8 residual = pool output, int8 out)
//   → DQ → Conv 1×1 (float; today not a CPU op, so it falls back) → Relu → GlobalAveragePool → Flatten → Softmax.
Graph quantized_network() {
  TestGraph t;
  ValueId x = t.input("x", {kDynamicDim, 8, 10, 10});
  ValueId q = t.node(Op::kQuantizeLinear, "q", {x},
                     {{"scale", std::vector<float>{0.031f}}, {"zero_point", Ints{0}},
                      {"output_dtype", static_cast<int64_t>(DType::kInt8)}});
  QuantParams w_per_channel{{}, {}, 0};
  for (int k = 0; k < 8; ++k) {
    w_per_channel.scales.push_back(0.0047f + 0.0009f * static_cast<float>(k));
    w_per_channel.zero_points.push_back(0);
  }
  ValueId w1 = t.constant("w1", random_int8({8, 8, 3, 3}, 1));
  t.graph.value(w1).quant = w_per_channel;
  ValueId c1 = t.node(Op::kQConv, "qconv1", {q, w1, t.random_constant("b1", {8}, 0.2f)},
                      {{"pads", Ints{1, 1, 1, 1}}, {"relu", int64_t{1}}});
  make_quantized(t.graph, c1, DType::kInt8, {{0.043f}, {0}, 1});
  ValueId p = t.node(Op::kMaxPool, "pool", {c1}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  ValueId w2 = t.constant("w2", random_int8({8, 8, 1, 1}, 2));
  t.graph.value(w2).quant = QuantParams{{0.0061f}, {0}, 0};
  ValueId c2 = t.node(Op::kQConv, "qconv2", {p, w2, kNoValue, p});
  make_quantized(t.graph, c2, DType::kInt8, {{0.057f}, {0}, 1});
  ValueId d = t.node(Op::kDequantizeLinear, "dq", {c2}, {{"scale", std::vector<float>{0.057f}}, {"zero_point", Ints{0}}});
  ValueId c3 = t.node(Op::kConv, "conv_float", {d, t.random_constant("w3", {4, 8, 1, 1})});
  ValueId r = t.node(Op::kRelu, "relu", {c3});
  ValueId gap = t.node(Op::kGlobalAveragePool, "gap", {r});
  ValueId f = t.node(Op::kFlatten, "flatten", {gap});
  ValueId s = t.node(Op::kSoftmax, "softmax", {f});
  t.output(c2);
  t.output(s);
  return t.finish();
}

TEST(CpuEngine, MatchesReferenceOnAQuantizedNetwork) {
  Graph graph = quantized_network();
  const int64_t batch = 2;
  std::vector<Tensor> in{random_input({batch, 8, 10, 10}, 21, 2.0f)};
  std::vector<std::vector<Tensor>> results;
  std::vector<NodeAssignment> cpu_assignments;
  for (const char* backend : {"reference", "cpu"}) {
    auto engine = Engine::create(graph, {.backend = backend, .threads = 1});
    ASSERT_TRUE(engine.ok()) << backend << ": " << engine.status().to_string();
    auto ctx = (*engine)->create_context(batch);
    ASSERT_TRUE(ctx.ok()) << backend << ": " << ctx.status().to_string();
    auto out = (*ctx)->run(in);
    ASSERT_TRUE(out.ok()) << backend << ": " << out.status().to_string();
    results.push_back(*out);
    if (std::string(backend) == "cpu") cpu_assignments = (*ctx)->assignments();
  }
  const Tensor &ref_q = results[0][0], &cpu_q = results[1][0];
  ASSERT_EQ(ref_q.shape(), cpu_q.shape());
  int64_t off = 0;
  for (int64_t i = 0; i < ref_q.numel(); ++i) {
    double diff = std::fabs(ref_q.as_double(i) - cpu_q.as_double(i));
    ASSERT_LE(diff, 1.0) << "qconv2 output element " << i;
    off += diff > 0;
  }
  EXPECT_LE(off, ref_q.numel() / 20) << "one-step differences should be rare";
  const Tensor &ref_p = results[0][1], &cpu_p = results[1][1];
  for (int64_t i = 0; i < ref_p.numel(); ++i)
    EXPECT_NEAR(cpu_p.data<float>()[i], ref_p.data<float>()[i], 0.02) << "softmax element " << i;

  ASSERT_EQ(cpu_assignments.size(), graph.nodes.size());
  for (const auto& a : cpu_assignments) {
    if (a.backend == "reference") EXPECT_FALSE(a.reason.empty()) << a.node << " fell back silently";
    if (a.node == "qconv1" || a.node == "qconv2") EXPECT_EQ(a.backend, "cpu") << a.reason;
  }
}

}  // namespace
}  // namespace qatrt::testing
