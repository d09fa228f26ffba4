// The float16 layers of a --fp16 plan on the GPU (cuDNN with tensor cores, float32 accumulation; float16 pools,
// softmax and the boundary casts) against the float32 reference backend running the graph they were converted
// from (convert_to_float16): the same FusedConv / FusedGemm sweeps as the FP32 tests, and a chain of layers.
// Tolerance, relative to max(1, max |reference|): 8·2⁻¹¹ ≈ 3.9e-3. A float16 value carries 11 significant
// bits, so each rounding — of the input, of every weight, of the residual and of the result — moves a value by
// at most 2⁻¹¹ of itself; the products' roundings add up like a random walk, to about 2·2⁻¹¹ of the result's
// magnitude; the factor 8 leaves a margin over the 4 roundings a layer's output goes through. A failure prints
// the case. Skips without a GPU; the refusals by the host backends are checked without one.
#include <gtest/gtest.h>

#include <iterator>
#include <sstream>

#include "ir/shape_inference.h"
#include "ir/verifier.h"
#include "network_harness.h"
#include "passes/passes.h"
#include "runtime/engine.h"

namespace qatrt::cuda_test {
namespace {

constexpr DType kF32 = DType::kFloat32;
constexpr double kFp16Tolerance = 8.0 / 2048;

// `graph` as `qatrt build --fp16` leaves it: converted, shapes inferred, verified.
StatusOr<Graph> to_float16(Graph graph) {
  PassContext context;
  QATRT_RETURN_IF_ERROR(convert_to_float16(graph, context));
  QATRT_RETURN_IF_ERROR(infer_shapes(graph));
  QATRT_RETURN_IF_ERROR(verify_graph(graph));
  return graph;
}

std::vector<Tensor> random_inputs(const Graph& graph, std::mt19937& rng) {
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) inputs.push_back(random_float(graph.value(id).shape, rng, -3, 3));
  return inputs;
}

// The float16 graph of `g` on the GPU against `g` on the reference backend.
std::string compare_float16(const GraphBuilder& g, std::mt19937& rng) {
  if (!g.status().ok()) return g.status().to_string();
  auto half = to_float16(g.graph);
  if (!half.ok()) return "convert_to_float16: " + half.status().to_string();
  return compare_graphs(*half, g.graph, random_inputs(g.graph, rng), kFp16Tolerance);
}

struct ConvCase {
  Shape x;
  int64_t k, r, stride, pad;
  bool bias, relu, residual;
  std::string text() const {
    std::ostringstream o;
    o << "x " << shape_to_string(x) << " K " << k << " " << r << "x" << r << " stride " << stride << " pad " << pad
      << ", bias " << bias << ", relu " << relu << ", residual " << residual;
    return o.str();
  }
};

TEST(CudaFloat16Layers, FusedConvMatchesTheFloat32Reference) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(31);
  const std::vector<ConvCase> cases = {
      {{2, 3, 32, 32}, 64, 7, 2, 3, true, true, false},    // the stem: C = 3
      {{2, 64, 14, 14}, 64, 3, 1, 1, true, true, true},
      {{1, 64, 15, 15}, 128, 3, 2, 1, true, false, false},
      {{2, 256, 7, 7}, 64, 1, 1, 0, false, true, true},
      {{1, 64, 9, 9}, 256, 1, 2, 0, true, false, false},   // the downsampling 1×1
      {{3, 5, 6, 9}, 7, 3, 1, 0, true, true, false},       // odd channel counts
  };
  for (const ConvCase& cc : cases) {
    const int64_t p = (cc.x[2] + 2 * cc.pad - cc.r) / cc.stride + 1, q = (cc.x[3] + 2 * cc.pad - cc.r) / cc.stride + 1;
    GraphBuilder g;
    std::vector<ValueId> inputs = {g.input(kF32, cc.x), g.constant(random_float({cc.k, cc.x[1], cc.r, cc.r}, rng, -0.2f, 0.2f)),
                                   cc.bias ? g.constant(random_float({cc.k}, rng, -0.5f, 0.5f)) : kNoValue};
    if (cc.residual) inputs.push_back(g.input(kF32, {cc.x[0], cc.k, p, q}));
    g.output(g.node(Op::kFusedConv, inputs,
                    {{"strides", std::vector<int64_t>{cc.stride, cc.stride}},
                     {"pads", std::vector<int64_t>{cc.pad, cc.pad, cc.pad, cc.pad}},
                     {"relu", int64_t{cc.relu}}}));
    EXPECT_EQ(compare_float16(g, rng), "") << "float16 FusedConv " << cc.text();
  }
}

TEST(CudaFloat16Layers, FusedGemmMatchesTheFloat32Reference) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(32);
  struct Size { int64_t m, k, n; };
  for (Size s : {Size{4, 2048, 1000}, Size{37, 64, 100}, Size{3, 5, 7}})
    for (bool relu : {false, true}) {
      GraphBuilder g;
      g.output(g.node(Op::kFusedGemm,
                      {g.input(kF32, {s.m, s.k}), g.constant(random_float({s.n, s.k}, rng, -0.1f, 0.1f)),
                       g.constant(random_float({s.n}, rng))},
                      {{"relu", int64_t{relu}}}));
      EXPECT_EQ(compare_float16(g, rng), "") << "float16 FusedGemm M " << s.m << " K " << s.k << " N " << s.n
                                             << ", relu " << relu;
    }
}

// Conv → MaxPool → GlobalAveragePool → Flatten → Gemm → Softmax: every float16 kernel, the views and both
// boundary casts (4-D in, 2-D out), as in ResNet-50's stem and head.
TEST(CudaFloat16Layers, ANetworkHeadMatchesTheFloat32Reference) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(33);
  GraphBuilder g;
  const ValueId x = g.input(kF32, {2, 3, 20, 20});
  const ValueId c = g.node(Op::kFusedConv, {x, g.constant(random_float({16, 3, 3, 3}, rng, -0.3f, 0.3f)),
                                           g.constant(random_float({16}, rng))},
                           {{"pads", std::vector<int64_t>{1, 1, 1, 1}}, {"relu", int64_t{1}}});
  const ValueId m = g.node(Op::kMaxPool, {c}, {{"kernel_shape", std::vector<int64_t>{3, 3}},
                                               {"strides", std::vector<int64_t>{2, 2}},
                                               {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  const ValueId f = g.node(Op::kFlatten, {g.node(Op::kGlobalAveragePool, {m})});
  const ValueId fc = g.node(Op::kFusedGemm, {f, g.constant(random_float({10, 16}, rng)), g.constant(random_float({10}, rng))});
  g.output(g.node(Op::kSoftmax, {fc}, {{"axis", int64_t{-1}}}));
  EXPECT_EQ(compare_float16(g, rng), "");
}

// float32 → float16 → float32 on the GPU (__float2half_rn) and on the reference (core/float16.h): bit for bit,
// over normal, subnormal and tie values up to the largest half (an overflow to inf is covered on the host, by
// tests/unit/core/float16_test.cc: the comparison here takes inf − inf for a difference).
TEST(CudaFloat16Layers, CastsMatchTheReferenceBitForBit) {
  SKIP_WITHOUT_CUDA();
  std::mt19937 rng(35);
  GraphBuilder g;
  const Shape shape{2, 5, 7, 9};
  const ValueId half = g.node(Op::kCast, {g.input(kF32, shape)}, {{"to", static_cast<int64_t>(DType::kFloat16)}});
  g.output(g.node(Op::kCast, {half}, {{"to", static_cast<int64_t>(DType::kFloat32)}}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  Tensor x = random_float(shape, rng, -65000, 65000);
  float* v = x.data<float>();
  const float specials[] = {0x1p-25f, 0x1.8p-24f, 1e-30f, 65519.99f, 1.0f + 0x1p-11f, 1.0f + 0x1.8p-10f, -0.0f};
  for (size_t i = 0; i < std::size(specials); ++i) v[i] = specials[i];
  for (int64_t i = std::size(specials); i < x.numel() / 2; ++i) v[i] *= 0x1p-20f;  // small and subnormal halves
  EXPECT_EQ(compare_with_reference(g.graph, {x}, 0), "");
}

// The host backends refuse float16 layers, naming --fp16 and the cuda backend (no device needed).
TEST(CudaFloat16Layers, HostBackendsRefuseFloat16Nodes) {
  std::mt19937 rng(34);
  GraphBuilder g;
  g.output(g.node(Op::kGlobalAveragePool, {g.input(kF32, {1, 8, 4, 4})}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  auto half = to_float16(g.graph);
  ASSERT_TRUE(half.ok()) << half.status().to_string();
  for (const char* backend : {"cpu", "reference"}) {
    auto engine = Engine::create(*half, {.backend = backend});
    StatusOr<std::unique_ptr<ExecutionContext>> context =
        engine.ok() ? (*engine)->create_context(1) : StatusOr<std::unique_ptr<ExecutionContext>>(engine.status());
    ASSERT_FALSE(context.ok()) << backend << " ran a float16 graph";
    const std::string message = context.status().message();
    EXPECT_NE(message.find("--fp16"), std::string::npos) << backend << ": " << message;
    EXPECT_NE(message.find("--backend cuda"), std::string::npos) << backend << ": " << message;
  }
}

}  // namespace
}  // namespace qatrt::cuda_test
