// Engine::create with backend "cuda": nodes the GPU cannot run are all listed with their reasons (checked
// before any device is needed, so this runs in CI too), and a missing device or a build without CUDA is a
// clear error rather than a silent fallback.
#include <gtest/gtest.h>

#include "network_harness.h"
#include "runtime/engine.h"
#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/cuda_backend.h"
#include "ir/exact_rounding.h"
#endif

namespace qatrt::cuda_test {
namespace {

// A graph every node of which the GPU runs.
Graph supported_graph() {
  GraphBuilder g;
  g.output(g.node(Op::kGlobalAveragePool, {g.input(DType::kFloat32, {1, 8, 4, 4})}));
  return g.graph;
}

#ifdef QATRT_HAVE_CUDA
TEST(CudaEngine, ListsEveryUnsupportedNode) {
  GraphBuilder g;
  const ValueId x = g.input(DType::kFloat32, {1, 8, 4, 4});
  const ValueId relu = g.node(Op::kRelu, {x});
  const ValueId pooled = g.node(Op::kAveragePool, {relu}, {{"kernel_shape", std::vector<int64_t>{2, 2}}});
  g.output(g.node(Op::kGlobalAveragePool, {pooled}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  auto engine = Engine::create(g.graph, {.backend = "cuda"});
  ASSERT_FALSE(engine.ok());
  const std::string message = engine.status().message();
  EXPECT_EQ(engine.status().code(), StatusCode::kUnsupported) << message;
  EXPECT_NE(message.find("node 'Relu_0' (Relu)"), std::string::npos) << message;
  EXPECT_NE(message.find("node 'AveragePool_1' (AveragePool)"), std::string::npos) << message;
  EXPECT_NE(message.find("no CUDA kernel for AveragePool"), std::string::npos) << message;
  EXPECT_EQ(message.find("GlobalAveragePool_2"), std::string::npos) << "a supported node was listed: " << message;
}

// A plan built with --exact rounds in double (src/ir/ops.h, "Exact rounding"); the GPU rounds in float32, so
// it refuses every node marked exact, whatever the op, before any device is needed.
TEST(CudaEngine, RefusesExactRoundingNodes) {
  GraphBuilder g;
  const ValueId q = g.quantize(g.input(DType::kFloat32, {1, 8, 4, 4}), 0.1f);
  const ValueId x = g.node(Op::kDequantizeLinear, {q},
                           {{"scale", std::vector<float>{0.1f}}, {"zero_point", std::vector<int64_t>{0}}});
  g.output(g.node(Op::kGlobalAveragePool, {x}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  Node& quantize = g.graph.nodes[0];
  const std::string refusal = quantize.describe() +
                              ": built with --exact (exact rounding); the CUDA backend rounds in float32 — run this "
                              "plan on the CPU or reference backend, or rebuild without --exact";
  auto backend = cuda::make_cuda_backend(nullptr);
  ASSERT_TRUE(backend->supports(g.graph, quantize).ok()) << "the node must be supported without the attribute";
  quantize.attrs[kExactRoundingAttr] = int64_t{1};
  const Status status = backend->supports(g.graph, quantize);
  EXPECT_EQ(status.code(), StatusCode::kUnsupported);
  EXPECT_EQ(status.message(), refusal);
  EXPECT_EQ(backend->create_kernel(g.graph, quantize).status().message(), refusal);

  auto engine = Engine::create(g.graph, {.backend = "cuda"});
  ASSERT_FALSE(engine.ok());
  const std::string message = engine.status().message();
  EXPECT_NE(message.find(refusal), std::string::npos) << message;
  EXPECT_EQ(message.find("GlobalAveragePool"), std::string::npos) << "a supported node was listed: " << message;
}

TEST(CudaEngine, NoDeviceIsAClearError) {
  if (cuda_unavailable().empty()) GTEST_SKIP() << "a CUDA device is visible";
  auto engine = Engine::create(supported_graph(), {.backend = "cuda"});
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("no usable CUDA device"), std::string::npos) << engine.status().message();
}
#else
TEST(CudaEngine, BuiltWithoutCudaIsAClearError) {
  auto engine = Engine::create(supported_graph(), {.backend = "cuda"});
  ASSERT_FALSE(engine.ok());
  EXPECT_NE(engine.status().message().find("built without CUDA"), std::string::npos) << engine.status().message();
}
#endif

}  // namespace
}  // namespace qatrt::cuda_test
