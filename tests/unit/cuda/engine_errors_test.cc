// Engine::create with backend "cuda": nodes the GPU cannot run are all listed with their reasons (checked
// before any device is needed, so this runs in CI too), and a missing device or a build without CUDA is a
// clear error rather than a silent fallback.
#include <gtest/gtest.h>

#include "network_harness.h"
#include "runtime/engine.h"

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
  const ValueId pooled = g.node(Op::kMaxPool, {relu}, {{"kernel_shape", std::vector<int64_t>{2, 2}}});  // float
  g.output(g.node(Op::kGlobalAveragePool, {pooled}));
  ASSERT_TRUE(g.status().ok()) << g.status().to_string();
  auto engine = Engine::create(g.graph, {.backend = "cuda"});
  ASSERT_FALSE(engine.ok());
  const std::string message = engine.status().message();
  EXPECT_EQ(engine.status().code(), StatusCode::kUnsupported) << message;
  EXPECT_NE(message.find("node 'Relu_0' (Relu)"), std::string::npos) << message;
  EXPECT_NE(message.find("node 'MaxPool_1' (MaxPool)"), std::string::npos) << message;
  EXPECT_NE(message.find("int8 only"), std::string::npos) << message;
  EXPECT_EQ(message.find("GlobalAveragePool_2"), std::string::npos) << "a supported node was listed: " << message;
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
