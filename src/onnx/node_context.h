// OnnxNode: what an op importer (one function per ONNX op, see op_table.h) works with. It wraps the ONNX
// NodeProto and the IR Node under construction (name, op, inputs and outputs already resolved) and gives:
//   * typed attribute reads that remember which attributes were read — the driver refuses any attribute no
//     importer read, so a new ONNX attribute can never be silently ignored;
//   * constant-input access and axis normalisation with errors that name node, op, value and a remedy.
#pragma once

#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

// "[0,-1,4]": integer lists that are not shapes (pads, axes, perm, a Reshape target), printed verbatim —
// shape_to_string would print -1 as a dynamic dim "N".
std::string ints_to_string(const std::vector<int64_t>& values);

class OnnxNode {
 public:
  OnnxNode(const onnx::NodeProto& proto, Graph& graph, Node& node) : proto_(proto), graph_(graph), node_(node) {}

  Graph& graph() { return graph_; }
  Node& node() { return node_; }

  // "node 'x' (Op): <parts>"
  template <typename... Parts>
  Status error(StatusCode code, const Parts&... parts) const {
    return make_error(code, node_.describe(), ": ", parts...);
  }

  // Attribute reads: absent → fallback; present with another type → error naming the attribute.
  bool has_attr(const std::string& name) const;
  StatusOr<int64_t> attr_int(const std::string& name, int64_t fallback);
  StatusOr<float> attr_float(const std::string& name, float fallback);
  StatusOr<std::string> attr_string(const std::string& name, const std::string& fallback);
  StatusOr<std::vector<int64_t>> attr_ints(const std::string& name, std::vector<int64_t> fallback);
  // Reads an int attribute and refuses any value but `required` (e.g. MaxPool storage_order must be 0).
  Status attr_must_equal(const std::string& name, int64_t required, const std::string& remedy);
  // Marks an attribute as deliberately ignored (it cannot change inference results, e.g. BN momentum).
  void ignore_attr(const std::string& name) { read_.insert(name); }
  // Error naming the first attribute no importer read.
  Status check_all_attributes_read() const;

  // Inputs: ONNX positions, absent optional inputs included (kNoValue).
  size_t input_count() const { return node_.inputs.size(); }
  bool has_input(size_t i) const { return i < node_.inputs.size() && node_.inputs[i] != kNoValue; }
  const Value& input(size_t i) const { return graph_.value(node_.inputs[i]); }
  int64_t input_rank(size_t i) const { return static_cast<int64_t>(input(i).shape.size()); }
  Status expect_input_count(size_t min, size_t max) const;
  Status expect_output_count(size_t count, const std::string& remedy) const;
  // The constant behind input i (`role` names it in the error, e.g. "shape"); not constant → error + remedy.
  StatusOr<Tensor> constant_input(size_t i, const std::string& role) const;
  // Replaces input i by a fresh constant named "<node>_<role>" (for normalised axes and the like).
  void replace_input_with_constant(size_t i, const std::string& role, Tensor tensor);

  // Makes an axis non-negative for a tensor of `rank` dims; out of range → error naming `what` and the value.
  StatusOr<int64_t> normalize_axis(int64_t axis, int64_t rank, const std::string& what) const;
  StatusOr<std::vector<int64_t>> normalize_axes(std::vector<int64_t> axes, int64_t rank, const std::string& what) const;

 private:
  const onnx::AttributeProto* find(const std::string& name) const;
  Status wrong_type(const onnx::AttributeProto& attr, const char* expected) const;

  const onnx::NodeProto& proto_;
  Graph& graph_;
  Node& node_;
  std::set<std::string> read_;
};

}  // namespace qatrt
