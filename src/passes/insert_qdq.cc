#include "passes/insert_qdq.h"

#include <algorithm>
#include <cmath>

#include "ir/shape_inference.h"
#include "ir/verifier.h"

namespace qatrt {
namespace {

struct Slot {
  int node;
  size_t input;
};

bool is_conv_branch(const Graph& graph, ValueId id) {
  int p = graph.producer(id);
  if (p < 0) return false;
  Op op = graph.nodes[p].op;
  if (op == Op::kConv) return true;
  return op == Op::kBatchNormalization && is_conv_branch(graph, graph.nodes[p].inputs[0]);
}

// The Add input that is the identity/shortcut branch: the one that is not a conv branch; when both are
// (a downsampling block), the second (Keras and torch both write `main + shortcut`).
int residual_input(const Graph& graph, const Node& add) {
  bool first = is_conv_branch(graph, add.inputs[0]);
  bool second = is_conv_branch(graph, add.inputs[1]);
  if (!first && !second) return -1;  // not a residual join
  if (first && !second) return 1;
  if (!first && second) return 0;
  return 1;
}

bool is_float_activation(const Graph& graph, ValueId id) {
  return id != kNoValue && !graph.is_constant(id) && graph.value(id).dtype == DType::kFloat32;
}

Node make_q(const std::string& name, ValueId in, ValueId out, std::vector<float> scales, int64_t axis) {
  std::vector<int64_t> zeros(scales.size(), 0);
  return Node{.name = name, .op = Op::kQuantizeLinear, .inputs = {in}, .outputs = {out},
              .attrs = {{"scale", std::move(scales)}, {"zero_point", zeros}, {"axis", axis},
                        {"output_dtype", static_cast<int64_t>(DType::kInt8)}}};
}

Node make_dq(const Node& q, ValueId in, ValueId out, const std::string& name) {
  Node dq{.name = name, .op = Op::kDequantizeLinear, .inputs = {in}, .outputs = {out}};
  for (const char* key : {"scale", "zero_point", "axis"}) dq.attrs[key] = q.attrs.at(key);
  return dq;
}

// Per-channel max|W| / 127 along `axis` (a zero channel gets the smallest positive scale that keeps it 0).
std::vector<float> weight_scales(const Tensor& w, int64_t axis) {
  const Shape& shape = w.shape();
  int64_t channels = shape[axis];
  int64_t inner = 1;
  for (size_t i = axis + 1; i < shape.size(); ++i) inner *= shape[i];
  std::vector<float> amax(static_cast<size_t>(channels), 0.0f);
  auto values = w.values<float>();
  for (int64_t i = 0; i < w.numel(); ++i) {
    int64_t c = (i / inner) % channels;
    amax[c] = std::fmax(amax[c], std::fabs(values[i]));
  }
  std::vector<float> scales;
  for (float a : amax) scales.push_back(a > 0 ? a / 127.0f : 1.0f / 127.0f);
  return scales;
}

}  // namespace

StatusOr<std::vector<PlacedQuantizer>> insert_qdq(Graph& graph, const QdqRecipe& recipe) {
  std::map<ValueId, std::vector<Slot>> activation_slots;  // tensor → consumer slots to rewire
  std::map<ValueId, std::string> activation_role;
  struct WeightSlot {
    Slot slot;
    int64_t axis;
  };
  std::vector<WeightSlot> weight_slots;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (recipe.skip_nodes.count(node.name)) continue;
    auto want_activation = [&](size_t input) {
      ValueId v = node.inputs[input];
      if (!is_float_activation(graph, v)) return;
      activation_slots[v].push_back({static_cast<int>(i), input});
      if (!activation_role.count(v)) activation_role[v] = std::string(op_name(node.op)) + " input of " + node.name;
    };
    auto want_weight = [&](size_t input, int64_t axis) {
      ValueId w = node.inputs[input];
      if (w == kNoValue || !graph.is_constant(w) || graph.value(w).dtype != DType::kFloat32) return;
      weight_slots.push_back({{static_cast<int>(i), input}, axis});
    };
    switch (node.op) {
      case Op::kConv:
        if (recipe.conv_inputs) want_activation(0);
        if (recipe.conv_weights) want_weight(1, 0);
        break;
      case Op::kGemm:
        if (node.attr_int("transA", 0) == 0 && recipe.gemm_inputs) want_activation(0);
        if (recipe.gemm_weights) want_weight(1, node.attr_int("transB", 0) ? 0 : 1);
        break;
      case Op::kMatMul:
        if (recipe.gemm_inputs) want_activation(0);
        if (recipe.gemm_weights && graph.value(node.inputs[1]).shape.size() == 2) want_weight(1, 1);
        break;
      case Op::kMaxPool:
        if (recipe.maxpool_inputs) want_activation(0);
        break;
      case Op::kAdd:
        if (recipe.residual_inputs) {
          int r = residual_input(graph, node);
          if (r >= 0) want_activation(static_cast<size_t>(r));
        }
        break;
      default:
        break;
    }
  }

  std::vector<PlacedQuantizer> placed;
  std::map<ValueId, ValueId> dq_of;  // activation → its DQ output
  auto add_pair = [&](ValueId v, std::vector<float> scales, int64_t axis, std::vector<Node>& out) {
    const Value src = graph.value(v);
    ValueId q_out = graph.add_value({.name = graph.unique_name(src.name + "_q"), .dtype = DType::kInt8, .shape = src.shape});
    ValueId dq_out = graph.add_value({.name = graph.unique_name(src.name + "_dq"), .shape = src.shape});
    Node q = make_q(graph.unique_name(src.name + "_quantize"), v, q_out, std::move(scales), axis);
    out.push_back(q);
    out.push_back(make_dq(q, q_out, dq_out, graph.unique_name(src.name + "_dequantize")));
    return std::make_pair(&out[out.size() - 2], dq_out);
  };

  std::vector<Node> rebuilt;
  for (ValueId v : graph.inputs) {
    if (!activation_slots.count(v)) continue;
    auto [q, dq] = add_pair(v, {1.0f}, 1, rebuilt);
    q->attrs[kUncalibratedAttr] = graph.value(v).name;
    dq_of[v] = dq;
  }
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node node = graph.nodes[i];
    for (const auto& ws : weight_slots) {
      if (ws.slot.node != static_cast<int>(i)) continue;
      ValueId w = node.inputs[ws.slot.input];
      std::vector<float> scales = weight_scales(*graph.value(w).constant, ws.axis);
      size_t channels = scales.size();
      auto [q, dq] = add_pair(w, std::move(scales), ws.axis, rebuilt);
      (void)q;
      node.inputs[ws.slot.input] = dq;
      placed.push_back({graph.value(w).name, "weight of " + node.name + " (per-channel, axis " + std::to_string(ws.axis) + ")",
                        true, channels});
    }
    for (auto& [v, slots] : activation_slots)
      for (const Slot& s : slots)
        if (s.node == static_cast<int>(i)) node.inputs[s.input] = dq_of.at(v);
    std::vector<ValueId> outputs = node.outputs;
    rebuilt.push_back(std::move(node));
    for (ValueId out : outputs) {
      if (!activation_slots.count(out)) continue;
      auto [q, dq] = add_pair(out, {1.0f}, 1, rebuilt);
      q->attrs[kUncalibratedAttr] = graph.value(out).name;
      dq_of[out] = dq;
    }
  }
  for (const auto& [v, role] : activation_role) {
    size_t consumers = activation_slots[v].size();
    placed.push_back({graph.value(v).name, role + (consumers > 1 ? " (+" + std::to_string(consumers - 1) + " more)" : ""),
                      false, 1});
  }
  graph.nodes = std::move(rebuilt);
  QATRT_RETURN_IF_ERROR(infer_shapes(graph).with_context("insert_qdq"));
  QATRT_RETURN_IF_ERROR(verify_graph(graph).with_context("insert_qdq"));
  return placed;
}

std::vector<std::string> tensors_to_calibrate(const Graph& graph) {
  std::vector<std::string> names;
  for (const Node& node : graph.nodes)
    if (node.op == Op::kQuantizeLinear && node.has_attr(kUncalibratedAttr))
      names.push_back(node.attr_string(kUncalibratedAttr, ""));
  return names;
}

Status set_activation_ranges(Graph& graph, const std::map<std::string, float>& amax) {
  for (Node& node : graph.nodes) {
    if (node.op != Op::kQuantizeLinear || !node.has_attr(kUncalibratedAttr)) continue;
    std::string tensor = node.attr_string(kUncalibratedAttr, "");
    auto it = amax.find(tensor);
    if (it == amax.end())
      return make_error(StatusCode::kNotFound, node.describe(), ": no calibrated range for tensor '", tensor,
                        "'; the calibration data does not cover this model (re-run calibration)");
    float scale = (it->second > 0 ? it->second : 1.0f) / 127.0f;
    node.attrs["scale"] = std::vector<float>{scale};
    node.attrs.erase(kUncalibratedAttr);
    ValueId q_out = node.outputs[0];
    graph.value(q_out).quant = QuantParams{{scale}, {0}, 1};
    for (int c : graph.consumers(q_out))
      if (graph.nodes[c].op == Op::kDequantizeLinear) graph.nodes[c].attrs["scale"] = std::vector<float>{scale};
  }
  return verify_graph(graph);
}

}  // namespace qatrt
