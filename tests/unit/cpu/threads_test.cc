// BackendOptions::threads reaches OpenMP (which runs oneDNN and the backend's own loops) on the thread that
// creates and runs kernels, and the thread count does not change an int8 result.
#include <gtest/gtest.h>
#include <omp.h>

#include "backends/cpu/cpu_backend.h"
#include "node_harness.h"

namespace qatrt::cpu_test {
namespace {

Graph resnet_like_qconv() {
  NodeGraph ng(Op::kQConv, {{"strides", std::vector<int64_t>{1, 1}},
                            {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                            {"relu", int64_t{1}}});
  std::mt19937 rng(42);
  ng.input(DType::kInt8, {2, 64, 14, 14}, per_tensor(0.05f));
  ng.constant(random_quantized(DType::kInt8, {64, 64, 3, 3}, rng), weight_quant(std::vector<float>(64, 0.004f), true));
  ng.constant(random_float({64}, rng));
  ng.output(DType::kInt8, {2, 64, 14, 14}, per_tensor(0.5f));
  return ng.graph;
}

TEST(CpuThreadsTest, ThreadCountIsAppliedAndDoesNotChangeInt8Results) {
  Graph graph = resnet_like_qconv();
  std::mt19937 rng(7);
  Tensor x = random_quantized(DType::kInt8, {2, 64, 14, 14}, rng);
  std::vector<Tensor> results;
  for (int threads : {1, 2, 1}) {
    auto cpu = make_cpu_backend({.threads = threads});
    auto out = run_on(*cpu, graph, {x});
    ASSERT_TRUE(out.ok()) << out.status().to_string();
    EXPECT_EQ(omp_get_max_threads(), threads);
    results.push_back(out->at(0));
  }
  for (size_t i = 1; i < results.size(); ++i) {
    Comparison c = compare(results[i], results[0], 0);
    EXPECT_EQ(c.different, 0) << "run " << i << ": " << describe(c);
  }
}

}  // namespace
}  // namespace qatrt::cpu_test
