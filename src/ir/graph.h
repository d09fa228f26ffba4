// The IR: an SSA dataflow graph of Values (tensors) and Nodes (ops), nodes kept in topological order.
// Graph building is metadata only; compute lives in backends. Value ids are indices into Graph::values
// and stay valid until compact(), which drops unreferenced values and renumbers.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/quant.h"
#include "core/shape.h"
#include "core/status.h"
#include "core/tensor.h"
#include "ir/ops.h"

namespace qatrt {

using ValueId = int32_t;
constexpr ValueId kNoValue = -1;

struct Value {
  std::string name;
  DType dtype = DType::kFloat32;
  Shape shape;                        // may hold kDynamicDim (batch)
  std::optional<Tensor> constant;     // initializers and folded constants
  std::optional<QuantParams> quant;   // set on int8/uint8 values: what the integers mean
};

using AttrValue = std::variant<int64_t, float, std::string, std::vector<int64_t>, std::vector<float>, Tensor>;

// Final precision of a layer in a plan, and why (printed by `inspect`, stored in the plan).
enum class Precision : uint8_t {
  kUnset = 0, kFloat32 = 1, kInt8 = 2, kNone = 3 /* data movement only */, kFloat16 = 4 /* --fp16 */
};
std::string_view precision_name(Precision p);

struct Node {
  std::string name;
  Op op = Op::kIdentity;
  std::vector<ValueId> inputs;   // kNoValue for an absent optional input
  std::vector<ValueId> outputs;
  std::map<std::string, AttrValue> attrs;
  Precision precision = Precision::kUnset;
  std::string precision_reason;  // e.g. "fused DQ→Conv→Add→Relu→Q", "weights not quantized"
  std::vector<std::string> fused_from;  // names of the source nodes a pass folded into this one

  bool has_attr(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t attr_int(const std::string& key, int64_t fallback) const;
  float attr_float(const std::string& key, float fallback) const;
  std::string attr_string(const std::string& key, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const std::string& key, std::vector<int64_t> fallback = {}) const;
  std::vector<float> attr_floats(const std::string& key, std::vector<float> fallback = {}) const;
  // The Tensor attribute `key`, or nullptr when it is absent or holds another kind of value.
  const Tensor* attr_tensor(const std::string& key) const;
  // "node 'conv1' (Conv)": the prefix of every error about this node.
  std::string describe() const;
};

class Graph {
 public:
  std::string name;
  std::vector<Value> values;
  std::vector<Node> nodes;  // topological order
  std::vector<ValueId> inputs;
  std::vector<ValueId> outputs;

  ValueId add_value(Value value);
  ValueId add_constant(const std::string& name, Tensor tensor);
  // Appends; use insert_node to place a node before an existing position.
  Node& add_node(Node node);
  Node& insert_node(size_t position, Node node);

  ValueId find_value(const std::string& value_name) const;  // kNoValue if absent
  std::string unique_name(const std::string& base) const;   // base, base_1, base_2 … not used by any value/node
  const Value& value(ValueId id) const { return values.at(static_cast<size_t>(id)); }
  Value& value(ValueId id) { return values.at(static_cast<size_t>(id)); }
  bool is_constant(ValueId id) const { return id != kNoValue && value(id).constant.has_value(); }
  bool is_graph_output(ValueId id) const;

  // Index of the node producing `id`, or -1 (graph input, constant, absent).
  int producer(ValueId id) const;
  // Indices of nodes reading `id`, in order (a node reading it twice appears once).
  std::vector<int> consumers(ValueId id) const;
  // Every use of `from` (node inputs and graph outputs) now reads `to`.
  void replace_uses(ValueId from, ValueId to);
  // Removes the nodes at these indices (any order).
  void erase_nodes(std::vector<int> indices);
  // Removes nodes whose outputs nobody reads (and that are not graph outputs), repeatedly.
  void remove_dead_nodes();
  // Drops values referenced by no node and no graph input/output, renumbering ids.
  void compact();
};

}  // namespace qatrt
