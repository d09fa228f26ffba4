// The whole INT8 ResNet-50 plan on the GPU against the reference backend (the oracle) and the CPU backend.
// The plan is the main job's (build/main-job/resnet50-int8.plan, or $QATRT_RESNET50_PLAN); the tests skip
// without it or without a CUDA device. Inputs are random in the Caffe-preprocessed range (BGR minus the mean).
//   * Against the reference: every int8 layer is exact on both, so the probabilities differ only by Softmax's
//     exp (a few float ulps) — on 2 images, as the naive reference takes seconds per image.
//   * Against the CPU backend, whose oneDNN epilogue may round half-way points 1 LSB off the oracle: those
//     differences grow through 53 layers, and random inputs give flat probabilities, so top-1 must agree on
//     every image whose CPU top-2 margin is clear (> 0.1); the agreement over all 16 is printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "network_harness.h"
#include "plan/plan.h"
#include "runtime/engine.h"

namespace qatrt::cuda_test {
namespace {

std::string plan_path() {
  if (const char* env = std::getenv("QATRT_RESNET50_PLAN")) return env;
  return std::string(QATRT_SOURCE_DIR) + "/build/main-job/resnet50-int8.plan";
}

StatusOr<std::vector<Tensor>> run(const Graph& graph, const std::string& backend, const Tensor& input) {
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(graph, {.backend = backend}));
  QATRT_ASSIGN_OR_RETURN(auto context, engine->create_context(input.shape()[0]));
  QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> first, context->run({input}));
  return context->run({input});  // the second run replays the CUDA graph on the GPU
}

int64_t argmax(const float* row, int64_t n) { return std::max_element(row, row + n) - row; }

// The plan's graph and a batch of random inputs in the Caffe-preprocessed range; skips as the header says.
class CudaResNet50 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = cuda_unavailable(); !why.empty()) GTEST_SKIP() << why;
    const std::string path = plan_path();
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "no plan at " << path << " (scripts/main-job.sh builds it)";
    auto plan = read_plan(path, "");
    ASSERT_TRUE(plan.ok()) << plan.status().to_string();
    ASSERT_EQ(plan->graph.inputs.size(), 1u);
    graph = std::move(plan->graph);
  }

  // The probabilities of `batch` random inputs on the GPU and on `other`.
  void run_both(int64_t batch, const std::string& other, Tensor& gpu, Tensor& host) {
    Shape shape = graph.value(graph.inputs[0]).shape;
    shape[0] = batch;
    std::mt19937 rng(11);
    const Tensor input = random_float(shape, rng, -124, 152);
    auto gpu_out = run(graph, "cuda", input);
    ASSERT_TRUE(gpu_out.ok()) << gpu_out.status().to_string();
    auto host_out = run(graph, other, input);
    ASSERT_TRUE(host_out.ok()) << other << ": " << host_out.status().to_string();
    gpu = (*gpu_out)[0];
    host = (*host_out)[0];
    ASSERT_EQ(gpu.shape(), host.shape());
  }

  Graph graph;
};

TEST_F(CudaResNet50, SameOutputAsTheReferenceBackend) {
  Tensor g, r;
  ASSERT_NO_FATAL_FAILURE(run_both(2, "reference", g, r));
  const int64_t classes = g.shape()[1];
  double max_diff = 0;
  for (int64_t i = 0; i < g.numel(); ++i)
    max_diff = std::max(max_diff, std::fabs(double{g.data<float>()[i]} - r.data<float>()[i]));
  for (int64_t i = 0; i < g.shape()[0]; ++i)
    EXPECT_EQ(argmax(g.data<float>() + i * classes, classes), argmax(r.data<float>() + i * classes, classes))
        << "image " << i;
  std::cout << "[ ResNet-50 ] max |p_gpu − p_reference| = " << max_diff << "\n";
  EXPECT_LT(max_diff, 1e-6);
}

TEST_F(CudaResNet50, SameTop1AsTheCpuBackendWhereTheMarginIsClear) {
  Tensor g, c;
  ASSERT_NO_FATAL_FAILURE(run_both(16, "cpu", g, c));
  const int64_t images = g.shape()[0], classes = g.shape()[1];
  int agree = 0, clear = 0;
  for (int64_t i = 0; i < images; ++i) {
    const float* gr = g.data<float>() + i * classes;
    const float* cr = c.data<float>() + i * classes;
    std::vector<float> sorted(cr, cr + classes);
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    const bool same = argmax(gr, classes) == argmax(cr, classes);
    agree += same;
    if (sorted[0] - sorted[1] > 0.1f) {
      ++clear;
      EXPECT_TRUE(same) << "image " << i << ": gpu " << argmax(gr, classes) << ", cpu " << argmax(cr, classes)
                        << " (cpu margin " << sorted[0] - sorted[1] << ")";
    }
  }
  std::cout << "[ ResNet-50 ] top-1 agreement with the CPU backend " << agree << "/" << images << " (" << clear
            << " with a clear margin)\n";
  EXPECT_GT(clear, 0) << "no image had a clear margin: the check checked nothing";
}

}  // namespace
}  // namespace qatrt::cuda_test
