// Graphs and comparisons shared by the plan tests.
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <sstream>

#include "ir/graph.h"

namespace qatrt::plan_test {

// A small verifiable quantized classifier: Q → QConv(+bias, relu, requantized) → DQ → GlobalAveragePool →
// Flatten → FusedGemm → Softmax, with a dynamic batch, per-channel weight scales and float/int8/int32
// constants.
inline Graph quantized_classifier() {
  Graph g;
  g.name = "tiny_qconv_classifier";
  ValueId x = g.add_value({.name = "x", .shape = {kDynamicDim, 3, 8, 8}});
  ValueId xq = g.add_value({.name = "x_q", .dtype = DType::kInt8, .shape = {kDynamicDim, 3, 8, 8},
                            .quant = QuantParams{{0.05f}, {0}, 1}});
  std::vector<int8_t> w_values(4 * 3 * 3 * 3);
  for (size_t i = 0; i < w_values.size(); ++i) w_values[i] = static_cast<int8_t>(static_cast<int>(i * 37 % 255) - 127);
  ValueId w = g.add_constant("conv.w", Tensor::from_vector<int8_t>({4, 3, 3, 3}, w_values));
  g.value(w).quant = QuantParams{{0.01f, 0.02f, 0.015f, 0.0125f}, {0, 0, 0, 0}, 0};
  ValueId b = g.add_constant("conv.b", Tensor::from_vector<float>({4}, {0.5f, -0.25f, 1e-3f, -3.0f}));
  ValueId y = g.add_value({.name = "y_q", .dtype = DType::kInt8, .shape = {kDynamicDim, 4, 8, 8},
                           .quant = QuantParams{{0.1f}, {0}, 1}});
  ValueId yf = g.add_value({.name = "y", .shape = {kDynamicDim, 4, 8, 8}});
  ValueId pooled = g.add_value({.name = "pooled", .shape = {kDynamicDim, 4, 1, 1}});
  ValueId flat = g.add_value({.name = "flat", .shape = {kDynamicDim, 4}});
  std::vector<float> fc_w(10 * 4);
  for (size_t i = 0; i < fc_w.size(); ++i) fc_w[i] = static_cast<float>(i) * 0.125f - 2.0f;
  ValueId fw = g.add_constant("fc.w", Tensor::from_vector<float>({10, 4}, fc_w));
  ValueId fb = g.add_constant("fc.b", Tensor::from_vector<float>({10}, std::vector<float>(10, 0.25f)));
  ValueId logits = g.add_value({.name = "logits", .shape = {kDynamicDim, 10}});
  ValueId probs = g.add_value({.name = "probs", .shape = {kDynamicDim, 10}});
  g.inputs = {x};
  g.outputs = {probs};

  g.add_node({.name = "q_x",
              .op = Op::kQuantizeLinear,
              .inputs = {x},
              .outputs = {xq},
              .attrs = {{"scale", std::vector<float>{0.05f}},
                        {"zero_point", std::vector<int64_t>{0}},
                        {"axis", int64_t{1}},
                        {"output_dtype", static_cast<int64_t>(DType::kInt8)}},
              .precision = Precision::kInt8,
              .precision_reason = "quantizes the network input"});
  g.add_node({.name = "conv1",
              .op = Op::kQConv,
              .inputs = {xq, w, b, kNoValue},
              .outputs = {y},
              .attrs = {{"strides", std::vector<int64_t>{1, 1}},
                        {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                        {"dilations", std::vector<int64_t>{1, 1}},
                        {"group", int64_t{1}},
                        {"relu", int64_t{1}}},
              .precision = Precision::kInt8,
              .precision_reason = "fused DQ→Conv→Relu→Q",
              .fused_from = {"dq_x", "conv1", "relu1", "q_y"}});
  g.add_node({.name = "dq_y",
              .op = Op::kDequantizeLinear,
              .inputs = {y},
              .outputs = {yf},
              .attrs = {{"scale", std::vector<float>{0.1f}}, {"zero_point", std::vector<int64_t>{0}}, {"axis", int64_t{1}}},
              .precision = Precision::kInt8,
              .precision_reason = "consumer runs in float"});
  g.add_node({.name = "gap", .op = Op::kGlobalAveragePool, .inputs = {yf}, .outputs = {pooled},
              .precision = Precision::kFloat32, .precision_reason = "no Q/DQ around it"});
  g.add_node({.name = "flatten", .op = Op::kFlatten, .inputs = {pooled}, .outputs = {flat},
              .attrs = {{"axis", int64_t{1}}}, .precision = Precision::kNone});
  g.add_node({.name = "fc", .op = Op::kFusedGemm, .inputs = {flat, fw, fb, kNoValue}, .outputs = {logits},
              .attrs = {{"relu", int64_t{0}}}, .precision = Precision::kFloat32,
              .precision_reason = "weights not quantized", .fused_from = {"fc_matmul", "fc_add"}});
  g.add_node({.name = "softmax", .op = Op::kSoftmax, .inputs = {logits}, .outputs = {probs},
              .attrs = {{"axis", int64_t{-1}}}, .precision = Precision::kFloat32});
  return g;
}

inline bool same_tensor(const Tensor& a, const Tensor& b, std::string& why) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) {
    why = std::string(dtype_name(a.dtype())) + shape_to_string(a.shape()) + " vs " + std::string(dtype_name(b.dtype())) +
          shape_to_string(b.shape());
    return false;
  }
  if (a.nbytes() && std::memcmp(a.raw(), b.raw(), a.nbytes()) != 0) {
    why = "tensor bytes differ";
    return false;
  }
  return true;
}

// Bitwise for floats, so NaN payloads and -0.0 count.
inline bool same_attr(const AttrValue& a, const AttrValue& b, std::string& why) {
  if (a.index() != b.index()) {
    why = "attribute type differs";
    return false;
  }
  if (const auto* ta = std::get_if<Tensor>(&a)) return same_tensor(*ta, std::get<Tensor>(b), why);
  if (const auto* fa = std::get_if<float>(&a)) {
    if (std::bit_cast<uint32_t>(*fa) == std::bit_cast<uint32_t>(std::get<float>(b))) return true;
    why = "float bits differ";
    return false;
  }
  if (const auto* va = std::get_if<std::vector<float>>(&a)) {
    const auto& vb = std::get<std::vector<float>>(b);
    bool same = va->size() == vb.size();
    for (size_t i = 0; same && i < va->size(); ++i)
      same = std::bit_cast<uint32_t>((*va)[i]) == std::bit_cast<uint32_t>(vb[i]);
    if (!same) why = "float list differs";
    return same;
  }
  bool same = false;
  if (const auto* ia = std::get_if<int64_t>(&a)) same = *ia == std::get<int64_t>(b);
  if (const auto* sa = std::get_if<std::string>(&a)) same = *sa == std::get<std::string>(b);
  if (const auto* la = std::get_if<std::vector<int64_t>>(&a)) same = *la == std::get<std::vector<int64_t>>(b);
  if (!same) why = "value differs";
  return same;
}

// Field-by-field equality; the failure names the first difference.
inline testing::AssertionResult graphs_equal(const Graph& a, const Graph& b) {
  auto differ = [](const std::string& what) { return testing::AssertionFailure() << what; };
  if (a.name != b.name) return differ("graph name '" + a.name + "' vs '" + b.name + "'");
  if (a.values.size() != b.values.size()) return differ("value count differs");
  for (size_t i = 0; i < a.values.size(); ++i) {
    const Value &va = a.values[i], &vb = b.values[i];
    std::string at = "value " + std::to_string(i) + " '" + va.name + "': ";
    if (va.name != vb.name) return differ(at + "name vs '" + vb.name + "'");
    if (va.dtype != vb.dtype) return differ(at + "dtype");
    if (va.shape != vb.shape) return differ(at + "shape " + shape_to_string(va.shape) + " vs " + shape_to_string(vb.shape));
    if (va.quant != vb.quant) return differ(at + "quant params");
    if (va.constant.has_value() != vb.constant.has_value()) return differ(at + "constant flag");
    std::string why;
    if (va.constant && !same_tensor(*va.constant, *vb.constant, why)) return differ(at + why);
  }
  if (a.inputs != b.inputs) return differ("graph inputs differ");
  if (a.outputs != b.outputs) return differ("graph outputs differ");
  if (a.nodes.size() != b.nodes.size()) return differ("node count differs");
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const Node &na = a.nodes[i], &nb = b.nodes[i];
    std::string at = "node " + std::to_string(i) + " '" + na.name + "': ";
    if (na.name != nb.name || na.op != nb.op) return differ(at + "name/op vs " + nb.describe());
    if (na.inputs != nb.inputs || na.outputs != nb.outputs) return differ(at + "inputs/outputs");
    if (na.precision != nb.precision || na.precision_reason != nb.precision_reason) return differ(at + "precision");
    if (na.fused_from != nb.fused_from) return differ(at + "fused_from");
    if (na.attrs.size() != nb.attrs.size()) return differ(at + "attribute count");
    for (const auto& [key, value] : na.attrs) {
      auto it = nb.attrs.find(key);
      if (it == nb.attrs.end()) return differ(at + "attribute '" + key + "' missing");
      std::string why;
      if (!same_attr(value, it->second, why)) return differ(at + "attribute '" + key + "': " + why);
    }
  }
  return testing::AssertionSuccess();
}

}  // namespace qatrt::plan_test
