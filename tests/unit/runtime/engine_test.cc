// Engine / ExecutionContext: fallback records, layout reorders against an all-reference run, input
// validation, dynamic batch binding.
#include <gtest/gtest.h>

#include "fake_nhwc_backend.h"
#include "runtime/engine.h"
#include "runtime/engine_with_backend.h"
#include "test_graph.h"

namespace qatrt::testing {
namespace {

using Ints = std::vector<int64_t>;

// x [2,3,8,8] → Conv 3×3 → Relu → MaxPool 2×2 → (Conv 1×1, + itself) → Mul by a same-shape constant →
// per-axis Q/DQ → Concat with the pool output → broadcast Add → Flatten → Gemm. Outputs: the Gemm and the
// Relu (a 4-D value an NHWC kernel produced: must come back NCHW).
Graph mixed_layout_graph() {
  TestGraph t;
  ValueId x = t.input("x", {2, 3, 8, 8});
  ValueId c1 = t.node(Op::kConv, "conv1",
                      {x, t.random_constant("w1", {4, 3, 3, 3}), t.random_constant("b1", {4})},
                      {{"pads", Ints{1, 1, 1, 1}}});
  ValueId r1 = t.node(Op::kRelu, "relu1", {c1});
  ValueId p = t.node(Op::kMaxPool, "pool", {r1}, {{"kernel_shape", Ints{2, 2}}, {"strides", Ints{2, 2}}});
  ValueId c2 = t.node(Op::kConv, "conv2", {p, t.random_constant("w2", {4, 4, 1, 1})});
  ValueId a = t.node(Op::kAdd, "add_same_shape", {c2, p});
  ValueId m = t.node(Op::kMul, "mul_const", {a, t.random_constant("k", {2, 4, 4, 4})});
  std::map<std::string, AttrValue> qdq{{"scale", std::vector<float>{0.01f, 0.02f, 0.03f, 0.05f}},
                                       {"zero_point", Ints{0, 10, -3, 5}},
                                       {"axis", int64_t{1}},
                                       {"output_dtype", static_cast<int64_t>(DType::kInt8)}};
  ValueId q = t.node(Op::kQuantizeLinear, "q", {m}, qdq);
  ValueId d = t.node(Op::kDequantizeLinear, "dq", {q}, qdq);
  ValueId cat = t.node(Op::kConcat, "concat", {d, p}, {{"axis", int64_t{1}}});
  ValueId b = t.node(Op::kAdd, "add_broadcast", {cat, t.random_constant("bias8", {8, 1, 1})});
  ValueId f = t.node(Op::kFlatten, "flatten", {b});
  ValueId g = t.node(Op::kGemm, "fc", {f, t.random_constant("wf", {128, 5}), t.random_constant("bf", {5})});
  t.output(g);
  t.output(r1);
  return t.finish();
}

std::vector<Tensor> run_engine(StatusOr<std::unique_ptr<Engine>> engine, int64_t batch, const std::vector<Tensor>& in,
                               std::vector<NodeAssignment>* assignments = nullptr) {
  EXPECT_TRUE(engine.ok()) << engine.status().to_string();
  if (!engine.ok()) return {};
  auto ctx = (*engine)->create_context(batch);
  EXPECT_TRUE(ctx.ok()) << ctx.status().to_string();
  if (!ctx.ok()) return {};
  if (assignments) *assignments = (*ctx)->assignments();
  auto out = (*ctx)->run(in);
  EXPECT_TRUE(out.ok()) << out.status().to_string();
  return out.ok() ? *out : std::vector<Tensor>{};
}

void expect_same(const Tensor& a, const Tensor& b, const std::string& what) {
  ASSERT_EQ(a.shape(), b.shape()) << what;
  ASSERT_EQ(a.dtype(), b.dtype()) << what;
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a.as_double(i), b.as_double(i)) << what << " element " << i;
}

TEST(Engine, NhwcBackendMixedWithReferenceMatchesAllReference) {
  Graph graph = mixed_layout_graph();
  std::vector<Tensor> in{random_input({2, 3, 8, 8}, 11)};
  auto expected = run_engine(Engine::create(graph, {.backend = "reference"}), 2, in);
  std::vector<NodeAssignment> assignments;
  auto mixed = run_engine(create_engine_with_backend(graph, std::make_shared<FakeNhwcBackend>()), 2, in, &assignments);
  ASSERT_EQ(expected.size(), 2u);
  ASSERT_EQ(mixed.size(), 2u);
  // The same reference kernels run on the same data in both runs, so the results are bit-identical.
  expect_same(mixed[0], expected[0], "Gemm output");
  expect_same(mixed[1], expected[1], "Relu output returned NCHW");

  int on_fake = 0;
  for (const auto& a : assignments) {
    bool fake_op = a.node == "conv1" || a.node == "relu1" || a.node == "pool" || a.node == "conv2";
    EXPECT_EQ(a.backend, fake_op ? "fake-nhwc" : "reference") << a.node;
    on_fake += a.backend == "fake-nhwc";
  }
  EXPECT_EQ(on_fake, 4);
}

TEST(Engine, FallbackIsRecordedWithTheRefusal) {
  std::vector<NodeAssignment> assignments;
  run_engine(create_engine_with_backend(mixed_layout_graph(), std::make_shared<FakeNhwcBackend>()), 2,
             {random_input({2, 3, 8, 8}, 3)}, &assignments);
  ASSERT_EQ(assignments.size(), 12u);
  for (const auto& a : assignments) {
    if (a.backend == "fake-nhwc") {
      EXPECT_TRUE(a.reason.empty()) << a.node << ": " << a.reason;
    } else {
      EXPECT_NE(a.reason.find("fake-nhwc"), std::string::npos) << a.node << ": " << a.reason;
      EXPECT_NE(a.reason.find("runs only Conv, MaxPool and Relu"), std::string::npos) << a.reason;
      EXPECT_NE(a.reason.find("'" + a.node + "'"), std::string::npos) << "reason should name the node: " << a.reason;
    }
  }
}

TEST(Engine, ReferenceEngineRecordsNoReasons) {
  std::vector<NodeAssignment> assignments;
  run_engine(Engine::create(mixed_layout_graph(), {.backend = "reference"}), 2, {random_input({2, 3, 8, 8}, 3)},
             &assignments);
  ASSERT_EQ(assignments.size(), 12u);
  for (const auto& a : assignments) {
    EXPECT_EQ(a.backend, "reference");
    EXPECT_TRUE(a.reason.empty());
  }
}

Graph dynamic_batch_graph() {
  TestGraph t;
  ValueId x = t.input("x", {kDynamicDim, 3, 6, 6});
  ValueId c = t.node(Op::kConv, "conv", {x, t.random_constant("w", {4, 3, 3, 3}), t.random_constant("b", {4})},
                     {{"pads", Ints{1, 1, 1, 1}}, {"strides", Ints{2, 2}}});
  ValueId r = t.node(Op::kRelu, "relu", {c});
  ValueId g = t.node(Op::kGlobalAveragePool, "gap", {r});
  ValueId f = t.node(Op::kReshape, "reshape", {g, t.constant("shape", Tensor::from_vector<int64_t>({2}, {-1, 4}))});
  ValueId s = t.node(Op::kSoftmax, "softmax", {f});
  t.output(s);
  return t.finish();
}

Tensor sample(const Tensor& batch, int64_t n) {
  Shape shape = batch.shape();
  int64_t per = batch.numel() / shape[0];
  shape[0] = 1;
  std::vector<float> v(batch.data<float>() + n * per, batch.data<float>() + (n + 1) * per);
  return Tensor::from_vector<float>(shape, v);
}

TEST(Engine, DynamicBatchGivesPerSampleResults) {
  Graph graph = dynamic_batch_graph();
  Tensor x3 = random_input({3, 3, 6, 6}, 5);
  for (const char* backend : {"reference", "fake"}) {
    SCOPED_TRACE(backend);
    auto make = [&] {
      return std::string(backend) == "fake" ? create_engine_with_backend(graph, std::make_shared<FakeNhwcBackend>())
                                            : Engine::create(graph, {.backend = "reference"});
    };
    auto out3 = run_engine(make(), 3, {x3});
    ASSERT_EQ(out3.size(), 1u);
    ASSERT_EQ(out3[0].shape(), (Shape{3, 4}));
    for (int64_t n = 0; n < 3; ++n) {
      auto out1 = run_engine(make(), 1, {sample(x3, n)});
      ASSERT_EQ(out1.size(), 1u);
      expect_same(out1[0], sample(out3[0], n), "sample " + std::to_string(n));
    }
  }
}

TEST(Engine, OneEngineServesSeveralBatchSizes) {
  auto engine = Engine::create(dynamic_batch_graph(), {.backend = "reference"});
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  for (int64_t batch : {1, 4, 2}) {
    auto ctx = (*engine)->create_context(batch);
    ASSERT_TRUE(ctx.ok()) << ctx.status().to_string();
    EXPECT_EQ((*ctx)->batch(), batch);
    auto out = (*ctx)->run({random_input({batch, 3, 6, 6}, 1)});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ((*out)[0].shape(), (Shape{batch, 4}));
  }
}

TEST(Engine, InputErrorsNameTheInputAndShapes) {
  auto engine = Engine::create(dynamic_batch_graph(), {.backend = "reference"});
  ASSERT_TRUE(engine.ok());
  auto ctx = (*engine)->create_context(2);
  ASSERT_TRUE(ctx.ok());

  auto wrong_shape = (*ctx)->run({random_input({1, 3, 6, 6}, 1)});
  ASSERT_FALSE(wrong_shape.ok());
  const std::string& msg = wrong_shape.status().message();
  EXPECT_NE(msg.find("'x'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[2,3,6,6]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[1,3,6,6]"), std::string::npos) << msg;

  auto wrong_count = (*ctx)->run({});
  ASSERT_FALSE(wrong_count.ok());
  EXPECT_NE(wrong_count.status().message().find("expected 1 inputs"), std::string::npos)
      << wrong_count.status().message();

  auto wrong_dtype = (*ctx)->run({Tensor(DType::kInt8, {2, 3, 6, 6})});
  ASSERT_FALSE(wrong_dtype.ok());
  EXPECT_NE(wrong_dtype.status().message().find("float32"), std::string::npos) << wrong_dtype.status().message();
  EXPECT_NE(wrong_dtype.status().message().find("int8"), std::string::npos) << wrong_dtype.status().message();
}

TEST(Engine, RejectsUnknownBackendAndBadBatch) {
  auto unknown = Engine::create(dynamic_batch_graph(), {.backend = "tpu"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'tpu'"), std::string::npos);
  auto engine = Engine::create(dynamic_batch_graph(), {.backend = "reference"});
  ASSERT_TRUE(engine.ok());
  EXPECT_FALSE((*engine)->create_context(0).ok());
}

TEST(Engine, UnsupportedEverywhereIsAnErrorNamingBothBackends) {
  TestGraph t;
  ValueId x = t.input("x", {1, 4});
  // BatchNormalization in training mode: neither the fake nor the reference backend runs it.
  ValueId y = t.node(Op::kBatchNormalization, "bn",
                     {x, t.random_constant("s", {4}), t.random_constant("b", {4}), t.random_constant("m", {4}),
                      t.random_constant("v", {4})},
                     {{"training_mode", int64_t{1}}});
  t.output(y);
  auto engine = create_engine_with_backend(t.finish(), std::make_shared<FakeNhwcBackend>());
  ASSERT_TRUE(engine.ok()) << engine.status().to_string();
  auto ctx = (*engine)->create_context(1);
  ASSERT_FALSE(ctx.ok());
  EXPECT_NE(ctx.status().message().find("fake-nhwc"), std::string::npos) << ctx.status().message();
  EXPECT_NE(ctx.status().message().find("training_mode"), std::string::npos) << ctx.status().message();
}

}  // namespace
}  // namespace qatrt::testing
