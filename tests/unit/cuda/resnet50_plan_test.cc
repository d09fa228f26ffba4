// The whole ResNet-50 plans on the GPU against the reference backend (the oracle) and the CPU backend.
// The INT8 plan is the main job's (build/main-job/resnet50-int8.plan, or $QATRT_RESNET50_PLAN), the FP32 one
// `qatrt build --fp32` of the same model (build/main-job/resnet50-fp32w.plan, or $QATRT_RESNET50_FP32_PLAN);
// the tests skip without them or without a CUDA device. Inputs are random in the Caffe-preprocessed range (BGR
// minus the mean).
//   * INT8 against the reference: every int8 layer is exact on both, so the probabilities differ only by
//     Softmax's exp (a few float ulps) — on 2 images, as the naive reference takes seconds per image.
//   * INT8 against the CPU backend, whose oneDNN epilogue may round half-way points 1 LSB off the oracle: those
//     differences grow through 53 layers, and random inputs give flat probabilities, so top-1 must agree on
//     every image whose CPU top-2 margin is clear (> 0.1); the agreement over all 16 is printed.
//   * FP32 (cuDNN, no TF32) against the CPU backend (oneDNN FP32): both are float32 with different summation
//     orders, ~1e-6 relative per layer, so the probabilities agree within 1e-3 and top-1 agrees on every image
//     whose margin exceeds 1e-3.
//   * FP16: the FP32 plan converted as `qatrt build --fp16` converts it (convert_to_float16) on the GPU, against
//     the FP32 plan on the CPU backend. Float16 keeps 11 bits (2^-11 ≈ 5e-4 relative per rounding) and the
//     differences grow through 53 layers to ~1e-2 of the logits, so top-1 must agree where the CPU's margin
//     exceeds 0.05 and the probabilities within 0.05; the largest difference is printed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include "network_harness.h"
#include "ir/shape_inference.h"
#include "passes/passes.h"
#include "plan/plan.h"
#include "runtime/engine.h"

namespace qatrt::cuda_test {
namespace {

std::string plan_path(const char* variable, const char* main_job_file) {
  if (const char* env = std::getenv(variable)) return env;
  return std::string(QATRT_SOURCE_DIR) + "/build/main-job/" + main_job_file;
}

StatusOr<std::vector<Tensor>> run(const Graph& graph, const std::string& backend, const Tensor& input) {
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(graph, {.backend = backend}));
  QATRT_ASSIGN_OR_RETURN(auto context, engine->create_context(input.shape()[0]));
  QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> first, context->run({input}));
  return context->run({input});  // the second run replays the CUDA graph on the GPU
}

int64_t argmax(const float* row, int64_t n) { return std::max_element(row, row + n) - row; }

// A plan's graph and a batch of random inputs in the Caffe-preprocessed range; skips as the header says.
class ResNet50Plan : public ::testing::Test {
 protected:
  void load(const std::string& path) {
    if (std::string why = cuda_unavailable(); !why.empty()) GTEST_SKIP() << why;
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

class CudaResNet50 : public ResNet50Plan {
 protected:
  void SetUp() override { load(plan_path("QATRT_RESNET50_PLAN", "resnet50-int8.plan")); }
};

class CudaResNet50Fp32 : public ResNet50Plan {
 protected:
  void SetUp() override { load(plan_path("QATRT_RESNET50_FP32_PLAN", "resnet50-fp32w.plan")); }
};
using CudaResNet50Fp16 = CudaResNet50Fp32;  // the FP32 plan, converted to float16 by the test

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

// Top-1 of `g` (GPU) against `c` (CPU) on every image whose CPU margin exceeds `margin`, and max |p_gpu − p_cpu|
// below `max_difference`; prints both.
void expect_same_top1(const Tensor& g, const Tensor& c, float margin, double max_difference, const char* what) {
  const int64_t images = g.shape()[0], classes = g.shape()[1];
  double max_diff = 0;
  for (int64_t i = 0; i < g.numel(); ++i)
    max_diff = std::max(max_diff, std::fabs(double{g.data<float>()[i]} - c.data<float>()[i]));
  int clear = 0;
  for (int64_t i = 0; i < images; ++i) {
    const float* gr = g.data<float>() + i * classes;
    const float* cr = c.data<float>() + i * classes;
    std::vector<float> sorted(cr, cr + classes);
    std::partial_sort(sorted.begin(), sorted.begin() + 2, sorted.end(), std::greater<>());
    if (sorted[0] - sorted[1] <= margin) continue;
    ++clear;
    EXPECT_EQ(argmax(gr, classes), argmax(cr, classes)) << "image " << i << " (cpu margin " << sorted[0] - sorted[1] << ")";
  }
  std::cout << "[ ResNet-50 " << what << " ] max |p_gpu − p_cpu| = " << max_diff << "; top-1 compared on " << clear
            << "/" << images << " images (margin > " << margin << ")\n";
  EXPECT_LT(max_diff, max_difference);
  EXPECT_GT(clear, 0) << "no image had a clear margin: the check checked nothing";
}

TEST_F(CudaResNet50Fp32, SameTop1AsTheCpuBackend) {
  Tensor g, c;
  ASSERT_NO_FATAL_FAILURE(run_both(8, "cpu", g, c));
  expect_same_top1(g, c, 1e-3f, 1e-3, "fp32");
}

TEST_F(CudaResNet50Fp16, SameTop1AsTheFp32PlanOnTheCpu) {
  const Graph fp32 = graph;
  PassContext context;
  ASSERT_TRUE(convert_to_float16(graph, context).ok());
  ASSERT_TRUE(infer_shapes(graph).ok());
  Shape shape = graph.value(graph.inputs[0]).shape;
  shape[0] = 8;
  std::mt19937 rng(11);
  const Tensor input = random_float(shape, rng, -124, 152);
  auto gpu = run(graph, "cuda", input);
  ASSERT_TRUE(gpu.ok()) << gpu.status().to_string();
  auto cpu = run(fp32, "cpu", input);
  ASSERT_TRUE(cpu.ok()) << cpu.status().to_string();
  expect_same_top1((*gpu)[0], (*cpu)[0], 0.05f, 0.05, "fp16");
}

}  // namespace
}  // namespace qatrt::cuda_test
