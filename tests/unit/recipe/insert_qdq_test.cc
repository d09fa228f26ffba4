// The recipe pass places quantizers exactly where NVIDIA's recipe says: Conv/Gemm inputs and per-channel
// weights, MaxPool inputs, the residual input of an Add — and nowhere else.
#include "passes/insert_qdq.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace qatrt {
namespace {

Tensor ramp(Shape shape, float step) {
  Tensor t(DType::kFloat32, std::move(shape));
  auto v = t.values<float>();
  for (size_t i = 0; i < v.size(); ++i) v[i] = step * static_cast<float>(static_cast<int64_t>(i % 7) - 3);
  return t;
}

// x → conv_a → relu_a → maxpool → conv_b → bn_b ─┐
//                             └──────────────────Add → relu_c → GAP → flatten → fc
struct Block {
  Graph g;
  ValueId x, relu_a, pool, bn_b;
};

Block make_block() {
  Block b;
  Graph& g = b.g;
  b.x = g.add_value({.name = "x", .shape = {-1, 2, 8, 8}});
  g.inputs = {b.x};
  auto value = [&](const char* name) { return g.add_value({.name = name}); };
  ValueId wa = g.add_constant("wa", ramp({4, 2, 3, 3}, 0.1f));
  ValueId conv_a = value("conv_a_out");
  g.add_node({.name = "conv_a", .op = Op::kConv, .inputs = {b.x, wa}, .outputs = {conv_a},
              .attrs = {{"pads", std::vector<int64_t>{1, 1, 1, 1}}}});
  b.relu_a = value("relu_a_out");
  g.add_node({.name = "relu_a", .op = Op::kRelu, .inputs = {conv_a}, .outputs = {b.relu_a}});
  b.pool = value("pool_out");
  g.add_node({.name = "maxpool", .op = Op::kMaxPool, .inputs = {b.relu_a}, .outputs = {b.pool},
              .attrs = {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}}});
  ValueId wb = g.add_constant("wb", ramp({4, 4, 1, 1}, 0.2f));
  ValueId conv_b = value("conv_b_out");
  g.add_node({.name = "conv_b", .op = Op::kConv, .inputs = {b.pool, wb}, .outputs = {conv_b}});
  ValueId scale = g.add_constant("bn_s", Tensor::from_vector<float>({4}, {1, 2, 3, 4}));
  ValueId bias = g.add_constant("bn_b", Tensor::from_vector<float>({4}, {0, 0, 0, 0}));
  ValueId mean = g.add_constant("bn_m", Tensor::from_vector<float>({4}, {0, 0, 0, 0}));
  ValueId var = g.add_constant("bn_v", Tensor::from_vector<float>({4}, {1, 1, 1, 1}));
  b.bn_b = value("bn_b_out");
  g.add_node({.name = "bn_b", .op = Op::kBatchNormalization, .inputs = {conv_b, scale, bias, mean, var}, .outputs = {b.bn_b}});
  ValueId sum = value("sum");
  g.add_node({.name = "add", .op = Op::kAdd, .inputs = {b.bn_b, b.pool}, .outputs = {sum}});
  ValueId relu_c = value("relu_c_out");
  g.add_node({.name = "relu_c", .op = Op::kRelu, .inputs = {sum}, .outputs = {relu_c}});
  ValueId gap = value("gap");
  g.add_node({.name = "gap", .op = Op::kGlobalAveragePool, .inputs = {relu_c}, .outputs = {gap}});
  ValueId flat = value("flat");
  g.add_node({.name = "flatten", .op = Op::kFlatten, .inputs = {gap}, .outputs = {flat}});
  ValueId wfc = g.add_constant("wfc", ramp({3, 4}, 0.05f));
  ValueId logits = value("logits");
  g.add_node({.name = "fc", .op = Op::kGemm, .inputs = {flat, wfc}, .outputs = {logits}, .attrs = {{"transB", int64_t{1}}}});
  g.outputs = {logits};
  return b;
}

std::vector<std::string> quantized_tensors(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes)
    if (n.op == Op::kQuantizeLinear) out.push_back(g.value(n.inputs[0]).name);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(InsertQdq, PlacesQuantizersExactlyWhereTheRecipeSays) {
  Block b = make_block();
  auto placed = insert_qdq(b.g, {});
  ASSERT_TRUE(placed.ok()) << placed.status().to_string();
  // x (conv_a input), pool_out (conv_b input AND residual: one pair), relu_a_out (maxpool input),
  // flat (fc input), weights wa, wb, wfc. Not: relu_c_out (feeds GAP), bn_b_out (main branch of the Add).
  EXPECT_EQ(quantized_tensors(b.g),
            (std::vector<std::string>{"flat", "pool_out", "relu_a_out", "wa", "wb", "wfc", "x"}));
  EXPECT_EQ(placed->size(), 7u);
  // The pool output's single DQ feeds both conv_b and the Add.
  const Node* add = nullptr;
  const Node* conv_b = nullptr;
  for (const Node& n : b.g.nodes) {
    if (n.name == "add") add = &n;
    if (n.name == "conv_b") conv_b = &n;
  }
  ASSERT_TRUE(add && conv_b);
  EXPECT_EQ(add->inputs[1], conv_b->inputs[0]);
  EXPECT_EQ(b.g.value(add->inputs[0]).name, "bn_b_out");
  // Weight scales are per-channel max|W|/127 along the output axis.
  for (const Node& n : b.g.nodes) {
    if (n.op != Op::kQuantizeLinear || b.g.value(n.inputs[0]).name != "wfc") continue;
    EXPECT_EQ(n.attr_int("axis", -1), 0);
    ASSERT_EQ(n.attr_floats("scale").size(), 3u);
    EXPECT_FLOAT_EQ(n.attr_floats("scale")[0], 0.15f / 127.0f);
  }
  EXPECT_EQ(tensors_to_calibrate(b.g).size(), 4u);
}

TEST(InsertQdq, OptionsAndSkipListRemoveQuantizers) {
  Block b = make_block();
  QdqRecipe recipe;
  recipe.maxpool_inputs = false;
  recipe.residual_inputs = false;
  recipe.skip_nodes = {"fc"};
  ASSERT_TRUE(insert_qdq(b.g, recipe).ok());
  EXPECT_EQ(quantized_tensors(b.g), (std::vector<std::string>{"pool_out", "wa", "wb", "x"}));
}

TEST(InsertQdq, CalibrationSetsEveryScaleOrNamesTheMissingTensor) {
  Block b = make_block();
  ASSERT_TRUE(insert_qdq(b.g, {}).ok());
  std::map<std::string, float> amax = {{"x", 2.54f}, {"relu_a_out", 1.27f}, {"pool_out", 0.0f}};
  Status missing = set_activation_ranges(b.g, amax);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("flat"), std::string::npos) << missing.message();
  amax["flat"] = 12.7f;
  Block fresh = make_block();
  ASSERT_TRUE(insert_qdq(fresh.g, {}).ok());
  ASSERT_TRUE(set_activation_ranges(fresh.g, amax).ok());
  EXPECT_TRUE(tensors_to_calibrate(fresh.g).empty());
  for (const Node& n : fresh.g.nodes) {
    if (n.op != Op::kQuantizeLinear || fresh.g.value(n.inputs[0]).name != "flat") continue;
    EXPECT_FLOAT_EQ(n.attr_floats("scale")[0], 0.1f);
    EXPECT_FLOAT_EQ(fresh.g.value(n.outputs[0]).quant->scales[0], 0.1f);
  }
}

}  // namespace
}  // namespace qatrt
