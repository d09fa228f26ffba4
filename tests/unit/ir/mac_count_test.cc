#include "ir/mac_count.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "ir/shape_inference.h"
#include "runtime/context_inputs.h"

namespace qatrt {
namespace {

struct ConvCase {
  const char* what;
  Op op;
  Shape x, w;
  std::vector<int64_t> strides, pads;
  int64_t group;
  int64_t expected;  // N·P·Q·K·(C/group)·R·S, worked out by hand
};

std::string describe(const ConvCase& c) {
  std::string pads;
  for (int64_t p : c.pads) pads += std::to_string(p) + " ";
  return std::string(c.what) + ": " + std::string(op_name(c.op)) + " x=" + shape_to_string(c.x) +
         " w=" + shape_to_string(c.w) + " stride " + std::to_string(c.strides[0]) + " pads " + pads + "group " +
         std::to_string(c.group);
}

// x → conv(w) → y, y's shape left to shape inference (as in a bound plan; the expected counts are not).
Graph one_conv(Op op, const Shape& x_shape, const Shape& w_shape, std::map<std::string, AttrValue> attrs) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .shape = x_shape});
  ValueId w = g.add_constant("w", Tensor(DType::kFloat32, w_shape));
  ValueId y = g.add_value({.name = "y"});
  g.inputs = {x};
  g.outputs = {y};
  g.add_node({.name = "conv", .op = op, .inputs = {x, w}, .outputs = {y}, .attrs = std::move(attrs)});
  return g;
}

TEST(MacCount, ConvolutionsSweep) {
  const std::vector<ConvCase> cases = {
      {"1x1", Op::kConv, {4, 256, 56, 56}, {64, 256, 1, 1}, {1, 1}, {0, 0, 0, 0}, 1, 4LL * 56 * 56 * 64 * 256},
      {"7x7/2 pad 3 (ResNet-50 stem)", Op::kConv, {1, 3, 224, 224}, {64, 3, 7, 7}, {2, 2}, {3, 3, 3, 3}, 1,
       118013952},  // 112·112·64·3·49
      {"3x3/2 pad 1", Op::kConv, {2, 128, 56, 56}, {128, 128, 3, 3}, {2, 2}, {1, 1, 1, 1}, 1,
       2LL * 28 * 28 * 128 * 128 * 9},
      {"3x3 no pad, 10→8", Op::kFusedConv, {1, 16, 10, 10}, {32, 16, 3, 3}, {1, 1}, {0, 0, 0, 0}, 1,
       8LL * 8 * 32 * 16 * 9},
      {"grouped 4 (C/g = 2)", Op::kFusedConv, {1, 8, 10, 10}, {8, 2, 3, 3}, {1, 1}, {0, 0, 0, 0}, 4,
       9216},  // 8·8 · 8 · 2 · 9
      {"depthwise 3x3/2 pad 1", Op::kConv, {3, 32, 15, 15}, {32, 1, 3, 3}, {2, 2}, {1, 1, 1, 1}, 32,
       3LL * 8 * 8 * 32 * 9},
      {"asymmetric pads 1x3", Op::kConv, {1, 4, 7, 5}, {6, 4, 1, 3}, {1, 1}, {0, 1, 0, 0}, 1,
       7LL * 4 * 6 * 4 * 3},  // Q = (5 + 1 − 3) + 1 = 4
  };
  for (const ConvCase& c : cases) {
    Graph g = one_conv(c.op, c.x, c.w,
                       {{"strides", c.strides}, {"pads", c.pads}, {"dilations", std::vector<int64_t>{1, 1}},
                        {"group", c.group}});
    Status inferred = infer_shapes(g);
    ASSERT_TRUE(inferred.ok()) << describe(c) << ": " << inferred.to_string();
    auto macs = count_macs(g, g.nodes[0]);
    ASSERT_TRUE(macs.ok()) << describe(c) << ": " << macs.status().to_string();
    EXPECT_EQ(*macs, c.expected) << describe(c) << ", y=" << shape_to_string(g.value(g.outputs[0]).shape);
  }
}

// A QConv's int8 weight has the same [K, C/group, R, S] shape: the count ignores dtypes and the extra operands.
TEST(MacCount, QConvWithBiasAndResidual) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .dtype = DType::kInt8, .shape = {2, 64, 14, 14}});
  ValueId w = g.add_constant("w", Tensor(DType::kInt8, {256, 64, 1, 1}));
  ValueId b = g.add_constant("b", Tensor(DType::kFloat32, {256}));
  ValueId r = g.add_value({.name = "r", .dtype = DType::kInt8, .shape = {2, 256, 14, 14}});
  ValueId y = g.add_value({.name = "y", .dtype = DType::kInt8, .shape = {2, 256, 14, 14}});
  g.add_node({.name = "qconv", .op = Op::kQConv, .inputs = {x, w, b, r}, .outputs = {y}});
  auto macs = count_macs(g, g.nodes[0]);
  ASSERT_TRUE(macs.ok()) << macs.status().to_string();
  EXPECT_EQ(*macs, 2LL * 14 * 14 * 256 * 64);
}

struct ProductCase {
  const char* what;
  Op op;
  Shape a, b, y;
  int64_t trans_a, trans_b;  // Gemm's attrs
  int64_t expected;  // M·N·K (times the batch of a batched MatMul)
};

TEST(MacCount, MatrixProductsSweep) {
  const std::vector<ProductCase> cases = {
      {"Gemm", Op::kGemm, {256, 2048}, {1000, 2048}, {256, 1000}, 0, 1, 256LL * 1000 * 2048},
      {"Gemm transA", Op::kGemm, {2048, 8}, {2048, 1000}, {8, 1000}, 1, 0, 8LL * 1000 * 2048},
      {"FusedGemm (w [N, K])", Op::kFusedGemm, {16, 512}, {10, 512}, {16, 10}, 0, 0, 16LL * 10 * 512},
      {"QGemm (w [N, K])", Op::kQGemm, {1, 2048}, {1000, 2048}, {1, 1000}, 0, 0, 1000LL * 2048},
      {"MatMul batched", Op::kMatMul, {3, 5, 7}, {3, 7, 11}, {3, 5, 11}, 0, 0, 3LL * 5 * 11 * 7},
      {"MatMul vector·matrix", Op::kMatMul, {7}, {7, 11}, {11}, 0, 0, 11LL * 7},
  };
  for (const ProductCase& c : cases) {
    Graph g;
    ValueId a = g.add_value({.name = "a", .shape = c.a});
    ValueId b = g.add_constant("b", Tensor(DType::kFloat32, c.b));
    ValueId y = g.add_value({.name = "y", .shape = c.y});
    Node node{.name = "product", .op = c.op, .inputs = {a, b}, .outputs = {y}};
    if (c.op == Op::kGemm) node.attrs = {{"transA", c.trans_a}, {"transB", c.trans_b}};
    g.add_node(std::move(node));
    auto macs = count_macs(g, g.nodes[0]);
    const std::string what = std::string(c.what) + ": a=" + shape_to_string(c.a) + " b=" + shape_to_string(c.b) +
                             " y=" + shape_to_string(c.y);
    ASSERT_TRUE(macs.ok()) << what << ": " << macs.status().to_string();
    EXPECT_EQ(*macs, c.expected) << what;
  }
}

TEST(MacCount, OpsWithoutProductsCountZero) {
  for (Op op : {Op::kAdd, Op::kMul, Op::kRelu, Op::kMaxPool, Op::kGlobalAveragePool, Op::kQuantizeLinear,
                Op::kRequantize, Op::kReshape}) {
    Graph g;
    ValueId x = g.add_value({.name = "x", .shape = {2, 64, 7, 7}});
    ValueId x2 = g.add_value({.name = "x2", .shape = {2, 64, 7, 7}});
    ValueId y = g.add_value({.name = "y", .shape = {2, 64, 7, 7}});
    g.add_node({.name = "n", .op = op, .inputs = {x, x2}, .outputs = {y}});
    EXPECT_FALSE(counts_macs(op)) << op_name(op);
    auto macs = count_macs(g, g.nodes[0]);
    ASSERT_TRUE(macs.ok()) << op_name(op) << ": " << macs.status().to_string();
    EXPECT_EQ(*macs, 0) << op_name(op);
  }
  for (Op op : {Op::kConv, Op::kFusedConv, Op::kQConv, Op::kGemm, Op::kMatMul, Op::kFusedGemm, Op::kQGemm})
    EXPECT_TRUE(counts_macs(op)) << op_name(op);
}

// An unbound batch has no count: the error names the node and the shape.
TEST(MacCount, DynamicBatchIsAnError) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .shape = {kDynamicDim, 64, 56, 56}});
  ValueId w = g.add_constant("w", Tensor(DType::kFloat32, {64, 64, 3, 3}));
  ValueId y = g.add_value({.name = "y", .shape = {kDynamicDim, 64, 56, 56}});
  g.add_node({.name = "conv2", .op = Op::kConv, .inputs = {x, w}, .outputs = {y}});
  auto macs = count_macs(g, g.nodes[0]);
  ASSERT_FALSE(macs.ok());
  EXPECT_NE(macs.status().to_string().find("node 'conv2' (Conv)"), std::string::npos) << macs.status().to_string();
  EXPECT_NE(macs.status().to_string().find("[N,64,56,56]"), std::string::npos) << macs.status().to_string();
}

// The profile counts on the plan's graph with the benchmark's batch bound (as `bench --exportProfile` does):
// the count scales with the batch.
TEST(MacCount, CountsTheBoundBatch) {
  Graph g = one_conv(Op::kConv, {kDynamicDim, 64, 56, 56}, {64, 64, 3, 3},
                     {{"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  ASSERT_TRUE(infer_shapes(g).ok());
  for (int64_t batch : {1, 8, 256}) {
    auto bound = bind_batch_size(g, batch);
    ASSERT_TRUE(bound.ok()) << "batch " << batch << ": " << bound.status().to_string();
    auto macs = count_macs(*bound, bound->nodes[0]);
    ASSERT_TRUE(macs.ok()) << "batch " << batch << ": " << macs.status().to_string();
    EXPECT_EQ(*macs, batch * 56 * 56 * 64 * 64 * 9) << "batch " << batch;
  }
}

}  // namespace
}  // namespace qatrt
