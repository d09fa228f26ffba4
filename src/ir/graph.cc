#include "ir/graph.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace qatrt {

std::string_view precision_name(Precision p) {
  switch (p) {
    case Precision::kUnset: return "unset";
    case Precision::kFloat32: return "fp32";
    case Precision::kInt8: return "int8";
    case Precision::kNone: return "none";
    case Precision::kFloat16: return "fp16";
  }
  return "?";
}

namespace {
template <typename T>
const T* find_attr(const Node& node, const std::string& key) {
  auto it = node.attrs.find(key);
  return it == node.attrs.end() ? nullptr : std::get_if<T>(&it->second);
}
}  // namespace

int64_t Node::attr_int(const std::string& key, int64_t fallback) const {
  const auto* v = find_attr<int64_t>(*this, key);
  return v ? *v : fallback;
}

float Node::attr_float(const std::string& key, float fallback) const {
  if (const auto* v = find_attr<float>(*this, key)) return *v;
  if (const auto* i = find_attr<int64_t>(*this, key)) return static_cast<float>(*i);
  return fallback;
}

std::string Node::attr_string(const std::string& key, const std::string& fallback) const {
  const auto* v = find_attr<std::string>(*this, key);
  return v ? *v : fallback;
}

std::vector<int64_t> Node::attr_ints(const std::string& key, std::vector<int64_t> fallback) const {
  const auto* v = find_attr<std::vector<int64_t>>(*this, key);
  return v ? *v : fallback;
}

std::vector<float> Node::attr_floats(const std::string& key, std::vector<float> fallback) const {
  const auto* v = find_attr<std::vector<float>>(*this, key);
  return v ? *v : fallback;
}

const Tensor* Node::attr_tensor(const std::string& key) const { return find_attr<Tensor>(*this, key); }

std::string Node::describe() const { return "node '" + name + "' (" + std::string(op_name(op)) + ")"; }

ValueId Graph::add_value(Value value) {
  values.push_back(std::move(value));
  return static_cast<ValueId>(values.size() - 1);
}

ValueId Graph::add_constant(const std::string& value_name, Tensor tensor) {
  Value v;
  v.name = value_name;
  v.dtype = tensor.dtype();
  v.shape = tensor.shape();
  v.constant = std::move(tensor);
  return add_value(std::move(v));
}

Node& Graph::add_node(Node node) {
  nodes.push_back(std::move(node));
  return nodes.back();
}

Node& Graph::insert_node(size_t position, Node node) {
  return *nodes.insert(nodes.begin() + static_cast<std::ptrdiff_t>(position), std::move(node));
}

ValueId Graph::find_value(const std::string& value_name) const {
  for (size_t i = 0; i < values.size(); ++i)
    if (values[i].name == value_name) return static_cast<ValueId>(i);
  return kNoValue;
}

std::string Graph::unique_name(const std::string& base) const {
  std::set<std::string> used;
  for (const auto& v : values) used.insert(v.name);
  for (const auto& n : nodes) used.insert(n.name);
  if (!used.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string candidate = base + "_" + std::to_string(i);
    if (!used.count(candidate)) return candidate;
  }
}

bool Graph::is_graph_output(ValueId id) const {
  return std::find(outputs.begin(), outputs.end(), id) != outputs.end();
}

int Graph::producer(ValueId id) const {
  if (id == kNoValue) return -1;
  for (size_t i = 0; i < nodes.size(); ++i)
    for (ValueId out : nodes[i].outputs)
      if (out == id) return static_cast<int>(i);
  return -1;
}

std::vector<int> Graph::consumers(ValueId id) const {
  std::vector<int> result;
  if (id == kNoValue) return result;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (std::find(nodes[i].inputs.begin(), nodes[i].inputs.end(), id) != nodes[i].inputs.end())
      result.push_back(static_cast<int>(i));
  return result;
}

void Graph::replace_uses(ValueId from, ValueId to) {
  for (auto& node : nodes)
    for (auto& in : node.inputs)
      if (in == from) in = to;
  for (auto& out : outputs)
    if (out == from) out = to;
}

void Graph::erase_nodes(std::vector<int> indices) {
  std::sort(indices.begin(), indices.end());
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  for (auto it = indices.rbegin(); it != indices.rend(); ++it) nodes.erase(nodes.begin() + *it);
}

void Graph::remove_dead_nodes() {
  bool changed = true;
  while (changed) {
    changed = false;
    std::set<ValueId> used(outputs.begin(), outputs.end());
    for (const auto& node : nodes) used.insert(node.inputs.begin(), node.inputs.end());
    for (size_t i = nodes.size(); i-- > 0;) {
      bool live = std::any_of(nodes[i].outputs.begin(), nodes[i].outputs.end(),
                              [&](ValueId v) { return used.count(v) != 0; });
      if (!live) {
        nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
      }
    }
  }
}

void Graph::compact() {
  std::vector<bool> referenced(values.size(), false);
  auto mark = [&](ValueId v) {
    if (v != kNoValue) referenced[static_cast<size_t>(v)] = true;
  };
  for (ValueId v : inputs) mark(v);
  for (ValueId v : outputs) mark(v);
  for (const auto& node : nodes) {
    for (ValueId v : node.inputs) mark(v);
    for (ValueId v : node.outputs) mark(v);
  }
  std::vector<ValueId> remap(values.size(), kNoValue);
  std::vector<Value> kept;
  for (size_t i = 0; i < values.size(); ++i) {
    if (!referenced[i]) continue;
    remap[i] = static_cast<ValueId>(kept.size());
    kept.push_back(std::move(values[i]));
  }
  values = std::move(kept);
  auto apply = [&](ValueId& v) {
    if (v != kNoValue) v = remap[static_cast<size_t>(v)];
  };
  for (auto& v : inputs) apply(v);
  for (auto& v : outputs) apply(v);
  for (auto& node : nodes) {
    for (auto& v : node.inputs) apply(v);
    for (auto& v : node.outputs) apply(v);
  }
}

}  // namespace qatrt
