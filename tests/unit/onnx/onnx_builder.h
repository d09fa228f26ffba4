// A tiny builder for ONNX models in tests: graph inputs/outputs, initializers (typed fields or raw_data),
// nodes with attributes; then serialise and import.
//   OnnxBuilder b;
//   b.input("x", onnx::TensorProto::FLOAT, {-1, 3, 8, 8});      // -1 → dim_param "N"
//   b.initializer<float>("w", {4, 3, 3, 3}, values);
//   b.node("Conv", {"x", "w"}, {"y"}, "conv").ints("pads", {1, 1, 1, 1});
//   b.output("y");
//   auto graph = b.import();
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "onnx/importer.h"

namespace qatrt::testing {

inline constexpr int kFloat = onnx::TensorProto::FLOAT;

class NodeAttrs {
 public:
  explicit NodeAttrs(onnx::NodeProto* node) : node_(node) {}
  NodeAttrs& i(const std::string& name, int64_t value) {
    auto* a = add(name, onnx::AttributeProto::INT);
    a->set_i(value);
    return *this;
  }
  NodeAttrs& f(const std::string& name, float value) {
    auto* a = add(name, onnx::AttributeProto::FLOAT);
    a->set_f(value);
    return *this;
  }
  NodeAttrs& s(const std::string& name, const std::string& value) {
    auto* a = add(name, onnx::AttributeProto::STRING);
    a->set_s(value);
    return *this;
  }
  NodeAttrs& ints(const std::string& name, const std::vector<int64_t>& values) {
    auto* a = add(name, onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
    return *this;
  }
  NodeAttrs& tensor(const std::string& name, const onnx::TensorProto& value) {
    auto* a = add(name, onnx::AttributeProto::TENSOR);
    *a->mutable_t() = value;
    return *this;
  }
  NodeAttrs& domain(const std::string& value) {
    node_->set_domain(value);
    return *this;
  }

 private:
  onnx::AttributeProto* add(const std::string& name, onnx::AttributeProto::AttributeType type) {
    auto* a = node_->add_attribute();
    a->set_name(name);
    a->set_type(type);
    return a;
  }
  onnx::NodeProto* node_;
};

template <typename T> constexpr int onnx_type_of();
template <> constexpr int onnx_type_of<float>() { return onnx::TensorProto::FLOAT; }
template <> constexpr int onnx_type_of<int8_t>() { return onnx::TensorProto::INT8; }
template <> constexpr int onnx_type_of<uint8_t>() { return onnx::TensorProto::UINT8; }
template <> constexpr int onnx_type_of<int32_t>() { return onnx::TensorProto::INT32; }
template <> constexpr int onnx_type_of<int64_t>() { return onnx::TensorProto::INT64; }
template <> constexpr int onnx_type_of<bool>() { return onnx::TensorProto::BOOL; }

// A TensorProto holding `values`, in raw_data or in the typed field ONNX uses for T.
template <typename T>
onnx::TensorProto make_tensor(const std::string& name, const std::vector<int64_t>& dims, const std::vector<T>& values,
                              bool raw = false) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx_type_of<T>());
  for (int64_t d : dims) t.add_dims(d);
  if (raw) {
    std::string bytes(values.size() * sizeof(T), '\0');
    for (size_t i = 0; i < values.size(); ++i) {  // element by element: std::vector<bool> has no data()
      T v = values[i];
      std::memcpy(bytes.data() + i * sizeof(T), &v, sizeof(T));
    }
    t.set_raw_data(bytes);
    return t;
  }
  for (T v : values) {
    if constexpr (std::is_same_v<T, float>) t.add_float_data(v);
    else if constexpr (std::is_same_v<T, int64_t>) t.add_int64_data(v);
    else t.add_int32_data(static_cast<int32_t>(v));
  }
  return t;
}

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int64_t opset = 13) {
    model.set_ir_version(8);
    model.set_producer_name("qatrt-test");
    auto* o = model.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    model.mutable_graph()->set_name("test_graph");
  }

  // dims: -1 becomes dim_param "N".
  OnnxBuilder& input(const std::string& name, int elem_type, const std::vector<int64_t>& dims) {
    auto* v = model.mutable_graph()->add_input();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(elem_type);
    auto* shape = t->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = shape->add_dim();
      if (d < 0) dim->set_dim_param("N");
      else dim->set_dim_value(d);
    }
    return *this;
  }
  OnnxBuilder& output(const std::string& name, int elem_type = onnx::TensorProto::FLOAT) {
    auto* v = model.mutable_graph()->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(elem_type);
    return *this;
  }
  template <typename T>
  OnnxBuilder& initializer(const std::string& name, const std::vector<int64_t>& dims, const std::vector<T>& values,
                           bool raw = false) {
    *model.mutable_graph()->add_initializer() = make_tensor<T>(name, dims, values, raw);
    return *this;
  }
  // Filled with 0.01·i, enough for shape/attribute tests.
  OnnxBuilder& weight(const std::string& name, const std::vector<int64_t>& dims) {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    std::vector<float> values(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) values[i] = 0.01f * static_cast<float>(i % 100);
    return initializer<float>(name, dims, values);
  }
  NodeAttrs node(const std::string& op, const std::vector<std::string>& inputs,
                 const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = model.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return NodeAttrs(n);
  }

  std::string bytes() const { return model.SerializeAsString(); }
  StatusOr<Graph> import() const { return import_onnx_bytes(bytes(), "test.onnx"); }

  onnx::ModelProto model;
};

// The node / value called `name`, or a placeholder named "<missing>" so expectations fail visibly.
inline const Node& node_named(const Graph& graph, const std::string& name) {
  for (const auto& n : graph.nodes)
    if (n.name == name) return n;
  static Node missing{.name = "<missing>"};
  return missing;
}

inline const Value& value_named(const Graph& graph, const std::string& name) {
  ValueId id = graph.find_value(name);
  static Value missing{.name = "<missing>"};
  return id == kNoValue ? missing : graph.value(id);
}

// Passes when the import failed with every one of `parts` in its message (and with `code`, when given);
// otherwise says what is missing and prints the whole status.
inline ::testing::AssertionResult refused_with(const StatusOr<Graph>& imported, const std::vector<std::string>& parts,
                                               std::optional<StatusCode> code = std::nullopt) {
  if (imported.ok()) return ::testing::AssertionFailure() << "the import succeeded; expected a refusal";
  const Status& status = imported.status();
  std::string problems;
  if (code && status.code() != *code)
    problems += std::string("code ") + status_code_name(status.code()) + ", expected " + status_code_name(*code) + "; ";
  for (const auto& part : parts)
    if (status.message().find(part) == std::string::npos) problems += "missing '" + part + "'; ";
  if (problems.empty()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << problems << "in " << status.to_string();
}

}  // namespace qatrt::testing
