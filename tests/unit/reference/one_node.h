// Test harness: a graph with one node, run through the reference backend. Inputs are added in the order the
// node reads them; non-constant inputs take the tensors given to run(), in that order. Output shapes and
// dtypes come from shape inference unless the test sets them first (fused quantized ops keep what was set).
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "backends/reference/reference_backend.h"
#include "ir/graph.h"
#include "ir/shape_inference.h"

namespace qatrt::testing {

class OneNode {
 public:
  OneNode(Op op, std::map<std::string, AttrValue> attrs = {}) {
    node_.name = "n";
    node_.op = op;
    node_.attrs = std::move(attrs);
  }

  ValueId input(DType dtype, Shape shape, std::optional<QuantParams> quant = std::nullopt) {
    ValueId id = graph.add_value({.name = "in" + std::to_string(node_.inputs.size()), .dtype = dtype,
                                  .shape = std::move(shape), .quant = std::move(quant)});
    graph.inputs.push_back(id);
    node_.inputs.push_back(id);
    return id;
  }
  ValueId constant(Tensor t, std::optional<QuantParams> quant = std::nullopt) {
    ValueId id = graph.add_constant("const" + std::to_string(node_.inputs.size()), std::move(t));
    graph.value(id).quant = std::move(quant);
    node_.inputs.push_back(id);
    return id;
  }
  void absent() { node_.inputs.push_back(kNoValue); }
  // An output whose dtype / quant the test fixes (QConv / QGemm / Requantize outputs).
  ValueId output(DType dtype = DType::kFloat32, std::optional<QuantParams> quant = std::nullopt) {
    ValueId id = graph.add_value({.name = "out" + std::to_string(node_.outputs.size()), .dtype = dtype,
                                  .quant = std::move(quant)});
    node_.outputs.push_back(id);
    graph.outputs.push_back(id);
    return id;
  }

  // Finishes the graph (shape inference unless the output shape was set) and runs the node.
  StatusOr<std::vector<Tensor>> run(const std::vector<Tensor>& inputs) {
    if (node_.outputs.empty()) output();
    if (graph.nodes.empty()) {
      graph.add_node(node_);
      if (graph.value(node_.outputs[0]).shape.empty() && !skip_inference)
        QATRT_RETURN_IF_ERROR(infer_node_shapes(graph, graph.nodes[0]));
    }
    auto backend = make_reference_backend();
    const Node& node = graph.nodes[0];
    QATRT_ASSIGN_OR_RETURN(auto kernel, backend->create_kernel(graph, node));
    std::vector<TensorView> in_views;
    size_t next = 0;
    for (ValueId id : node.inputs) {
      TensorView v;
      if (id != kNoValue) {
        const Value& value = graph.value(id);
        const Tensor& t = value.constant ? *value.constant : inputs.at(next++);
        v = {.dtype = t.dtype(), .shape = t.shape(), .data = const_cast<void*>(t.raw())};
      }
      in_views.push_back(v);
    }
    std::vector<Tensor> outputs;
    std::vector<TensorView> out_views;
    for (ValueId id : node.outputs) outputs.emplace_back(graph.value(id).dtype, graph.value(id).shape);
    for (Tensor& t : outputs) out_views.push_back({.dtype = t.dtype(), .shape = t.shape(), .data = t.raw()});
    QATRT_RETURN_IF_ERROR(kernel->run(in_views, out_views));
    return outputs;
  }

  // The node's support verdict (what the runtime would see).
  Status supports() {
    if (graph.nodes.empty()) {
      if (node_.outputs.empty()) output();
      graph.add_node(node_);
      if (graph.value(node_.outputs[0]).shape.empty() && !skip_inference)
        QATRT_RETURN_IF_ERROR(infer_node_shapes(graph, graph.nodes[0]));
    }
    return make_reference_backend()->supports(graph, graph.nodes[0]);
  }

  Graph graph;
  bool skip_inference = false;

 private:
  Node node_;
};

inline QuantParams per_tensor(float scale, int64_t zero_point = 0) { return {{scale}, {zero_point}, 1}; }

template <typename T>
std::vector<T> values_of(const Tensor& t) {
  auto s = t.values<T>();
  return {s.begin(), s.end()};
}

}  // namespace qatrt::testing
