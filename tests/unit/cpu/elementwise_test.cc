// Add, Relu, Softmax and the copy ops (Identity, Flatten, Reshape, Squeeze, Unsqueeze) on the CPU backend
// against the reference backend; quantized Relu against its definition max(q, z).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "node_harness.h"

namespace qatrt::cpu_test {
namespace {

constexpr DType kS8 = DType::kInt8, kU8 = DType::kUInt8, kF32 = DType::kFloat32;

class CpuElementwiseTest : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> cpu = make_cpu_backend({.threads = 2});
  std::unique_ptr<Backend> ref = make_reference_backend();

  void expect_same_as_reference(const Graph& graph, const std::vector<Tensor>& inputs, double allowed,
                                const std::string& text) {
    auto c = compare_with_reference(*cpu, *ref, graph, inputs, allowed);
    ASSERT_TRUE(c.ok()) << text << ": " << c.status().to_string();
    EXPECT_EQ(allowed == 0 ? c->different : c->beyond, 0) << text << ": " << describe(*c);
  }
};

TEST_F(CpuElementwiseTest, AddIsExact) {
  uint32_t seed = 1;
  for (Shape shape : {Shape{7}, Shape{2, 32, 28, 28}, Shape{3, 1000}}) {
    std::mt19937 rng(seed++);
    NodeGraph ng(Op::kAdd);
    ng.input(kF32, shape);
    ng.input(kF32, shape);
    ASSERT_TRUE(ng.infer_output().ok());
    expect_same_as_reference(ng.graph, {random_float(shape, rng), random_float(shape, rng)}, 0,
                             "Add " + shape_text(shape));
  }
}

TEST_F(CpuElementwiseTest, FloatReluIsExactIncludingNaN) {
  Tensor x = Tensor::from_vector<float>({8}, {-1.f, 0.f, -0.f, 2.5f, std::numeric_limits<float>::quiet_NaN(),
                                              -std::numeric_limits<float>::infinity(),
                                              std::numeric_limits<float>::infinity(), 1e-40f});
  NodeGraph ng(Op::kRelu);
  ng.input(kF32, x.shape());
  ASSERT_TRUE(ng.infer_output().ok());
  expect_same_as_reference(ng.graph, {x}, 0, "Relu specials");
  std::mt19937 rng(3);
  NodeGraph big(Op::kRelu);
  big.input(kF32, {2, 64, 16, 16});
  ASSERT_TRUE(big.infer_output().ok());
  expect_same_as_reference(big.graph, {random_float({2, 64, 16, 16}, rng)}, 0, "Relu [2,64,16,16]");
}

TEST_F(CpuElementwiseTest, QuantizedReluClampsAtTheZeroPoint) {
  for (auto [type, zero_point] : std::vector<std::pair<DType, int64_t>>{{kS8, 0}, {kS8, -20}, {kU8, 128}}) {
    Tensor q(type, {256});
    for (int i = 0; i < 256; ++i) static_cast<uint8_t*>(q.raw())[i] = static_cast<uint8_t>(i);
    NodeGraph ng(Op::kRelu);
    ng.input(type, q.shape(), per_tensor(0.1f, zero_point));
    ASSERT_TRUE(ng.infer_output().ok());
    auto got = run_on(*cpu, ng.graph, {q});
    ASSERT_TRUE(got.ok()) << got.status().to_string();
    for (int64_t i = 0; i < 256; ++i) {
      const auto v = static_cast<int64_t>(q.as_double(i));
      EXPECT_EQ(static_cast<int64_t>(got->at(0).as_double(i)), std::max(v, zero_point))
          << dtype_name(type) << " z" << zero_point << " q " << v;
    }
  }
}

TEST_F(CpuElementwiseTest, SoftmaxMatchesReference) {
  uint32_t seed = 10;
  for (auto [shape, axis] : std::vector<std::pair<Shape, int64_t>>{
           {{3, 1000}, -1}, {{2, 3, 4}, 1}, {{5, 7}, 0}, {{2, 3, 4, 5}, 3}}) {
    std::mt19937 rng(seed++);
    NodeGraph ng(Op::kSoftmax, {{"axis", axis}});
    ng.input(kF32, shape);
    ASSERT_TRUE(ng.infer_output().ok());
    expect_same_as_reference(ng.graph, {random_float(shape, rng, -8.f, 8.f)}, 1e-6,
                             "Softmax " + shape_text(shape) + " axis " + std::to_string(axis));
  }
}

TEST_F(CpuElementwiseTest, CopiesKeepTheBytes) {
  std::mt19937 rng(20);
  Tensor x = random_quantized(kS8, {2, 8, 3, 5}, rng);
  {
    NodeGraph ng(Op::kFlatten, {{"axis", int64_t{1}}});
    ng.input(kS8, x.shape(), per_tensor(0.5f));
    ASSERT_TRUE(ng.infer_output().ok());
    expect_same_as_reference(ng.graph, {x}, 0, "Flatten");
  }
  {
    NodeGraph ng(Op::kReshape);
    ng.input(kS8, x.shape(), per_tensor(0.5f));
    ng.constant(Tensor::from_vector<int64_t>({2}, {16, 15}));
    ASSERT_TRUE(ng.infer_output().ok());
    expect_same_as_reference(ng.graph, {x}, 0, "Reshape");
  }
  {
    NodeGraph ng(Op::kIdentity);
    ng.input(kS8, x.shape(), per_tensor(0.5f));
    ASSERT_TRUE(ng.infer_output().ok());
    expect_same_as_reference(ng.graph, {x}, 0, "Identity");
  }
  {
    NodeGraph ng(Op::kSqueeze);
    ng.input(kF32, {2, 1, 4});
    ng.constant(Tensor::from_vector<int64_t>({1}, {1}));
    ASSERT_TRUE(ng.infer_output().ok());
    expect_same_as_reference(ng.graph, {random_float({2, 1, 4}, rng)}, 0, "Squeeze");
  }
}

}  // namespace
}  // namespace qatrt::cpu_test
