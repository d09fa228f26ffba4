// What the CPU backend refuses, and how it says so: every refusal is kUnsupported (so the runtime falls back to
// the reference backend and records why), names the node, and gives the offending value. Also the layouts the
// backend asks for.
#include <gtest/gtest.h>

#include "backends/cpu/cpu_backend.h"
#include "node_harness.h"

namespace qatrt::cpu_test {
namespace {

constexpr DType kS8 = DType::kInt8, kF32 = DType::kFloat32;

// A 1×1 QConv x [1,4,5,5] int8 → int8 with the given weight and input parameters.
NodeGraph qconv(QuantParams weight_quant, QuantParams input_quant) {
  NodeGraph ng(Op::kQConv, {{"strides", std::vector<int64_t>{1, 1}}, {"pads", std::vector<int64_t>{0, 0, 0, 0}}});
  ng.input(kS8, {1, 4, 5, 5}, input_quant);
  ng.constant(Tensor(kS8, {8, 4, 1, 1}), weight_quant);
  ng.output(kS8, {1, 8, 5, 5}, per_tensor(0.1f));
  return ng;
}

class CpuSupportsTest : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> cpu = make_cpu_backend({.threads = 1});

  void expect_unsupported(const NodeGraph& ng, const std::string& mentions) {
    Status s = cpu->supports(ng.graph, ng.node());
    EXPECT_EQ(s.code(), StatusCode::kUnsupported) << s.to_string();
    EXPECT_NE(s.message().find(ng.node().describe()), std::string::npos) << s.to_string();
    EXPECT_NE(s.message().find(mentions), std::string::npos) << "expected '" << mentions << "' in: " << s.to_string();
    EXPECT_FALSE(cpu->create_kernel(ng.graph, ng.node()).ok());
  }
};

TEST_F(CpuSupportsTest, AcceptsASymmetricPerChannelQConv) {
  NodeGraph ng = qconv(weight_quant(std::vector<float>(8, 0.01f), true), per_tensor(0.1f));
  EXPECT_TRUE(cpu->supports(ng.graph, ng.node()).ok()) << cpu->supports(ng.graph, ng.node()).to_string();
}

TEST_F(CpuSupportsTest, RefusesWeightZeroPoints) {
  QuantParams w = weight_quant(std::vector<float>(8, 0.01f), true);
  w.zero_points[3] = 2;
  expect_unsupported(qconv(w, per_tensor(0.1f)), "zero point[3] = 2");
}

TEST_F(CpuSupportsTest, RefusesPerAxisActivations) {
  QuantParams x{{0.1f, 0.2f, 0.1f, 0.1f}, {0, 0, 0, 0}, 1};
  expect_unsupported(qconv(weight_quant({0.01f}, false), x), "per-axis");
}

TEST_F(CpuSupportsTest, RefusesNonPositiveScales) {
  expect_unsupported(qconv(weight_quant({0.01f}, false), per_tensor(0.f)), "positive");
  expect_unsupported(qconv(weight_quant({-0.01f}, false), per_tensor(0.1f)), "positive");
}

TEST_F(CpuSupportsTest, RefusesWeightsAlongTheWrongAxis) {
  QuantParams w{std::vector<float>(4, 0.01f), std::vector<int64_t>(4, 0), 1};
  expect_unsupported(qconv(w, per_tensor(0.1f)), "axis 1");
}

TEST_F(CpuSupportsTest, RefusesOpsWithoutAKernel) {
  NodeGraph ng(Op::kTranspose, {{"perm", std::vector<int64_t>{1, 0}}});
  ng.input(kF32, {2, 3});
  ng.output(kF32, {3, 2});
  expect_unsupported(ng, "no kernel for Transpose");
}

TEST_F(CpuSupportsTest, RefusesBroadcastingAdd) {
  NodeGraph ng(Op::kAdd);
  ng.input(kF32, {2, 3});
  ng.input(kF32, {3});
  ng.output(kF32, {2, 3});
  expect_unsupported(ng, "broadcasting");
}

TEST_F(CpuSupportsTest, RefusesMaxPoolIndices) {
  NodeGraph ng(Op::kMaxPool, {{"kernel_shape", std::vector<int64_t>{2, 2}}});
  ng.input(kF32, {1, 1, 4, 4});
  ng.output(kF32, {1, 1, 3, 3});
  ng.output(DType::kInt64, {1, 1, 3, 3});
  expect_unsupported(ng, "Indices");
}

TEST_F(CpuSupportsTest, RefusesPerAxisQuantize) {
  NodeGraph ng(Op::kQuantizeLinear, {{"scale", std::vector<float>{0.1f, 0.2f}},
                                     {"zero_point", std::vector<int64_t>{0, 0}},
                                     {"axis", int64_t{1}},
                                     {"output_dtype", static_cast<int64_t>(kS8)}});
  ng.input(kF32, {1, 2, 3, 3});
  ng.output(kS8, {1, 2, 3, 3});
  expect_unsupported(ng, "per-tensor only");
}

TEST_F(CpuSupportsTest, AsksForChannelsLastConvAndPoolAndAnyLayoutForElementwise) {
  NodeGraph conv = qconv(weight_quant({0.01f}, false), per_tensor(0.1f));
  EXPECT_EQ(cpu->layout_policy(conv.graph, conv.node()), LayoutPolicy::kNhwc);
  NodeGraph pool(Op::kMaxPool, {{"kernel_shape", std::vector<int64_t>{2, 2}}});
  pool.input(kF32, {1, 1, 4, 4});
  EXPECT_EQ(cpu->layout_policy(pool.graph, pool.node()), LayoutPolicy::kNhwc);
  NodeGraph quantize(Op::kQuantizeLinear);
  quantize.input(kF32, {1, 1, 4, 4});
  EXPECT_EQ(cpu->layout_policy(quantize.graph, quantize.node()), LayoutPolicy::kAny);
  NodeGraph flatten(Op::kFlatten);
  flatten.input(kF32, {1, 1, 4, 4});
  EXPECT_EQ(cpu->layout_policy(flatten.graph, flatten.node()), LayoutPolicy::kNchw);
}

TEST_F(CpuSupportsTest, KernelRejectsABufferInTheWrongLayout) {
  NodeGraph ng = qconv(weight_quant({0.01f}, false), per_tensor(0.1f));
  auto kernel = cpu->create_kernel(ng.graph, ng.node());
  ASSERT_TRUE(kernel.ok()) << kernel.status().to_string();
  Tensor x(kS8, {1, 4, 5, 5}), y(kS8, {1, 8, 5, 5});
  std::vector<TensorView> in = {{kS8, x.shape(), x.raw(), Layout::kNchw}, {}};
  std::vector<TensorView> out = {{kS8, y.shape(), y.raw(), Layout::kNhwc}};
  Status s = (*kernel)->run(in, out);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_NE(s.message().find("layout_policy"), std::string::npos) << s.to_string();
}

}  // namespace
}  // namespace qatrt::cpu_test
