// Small graph-building helpers for the runtime tests: values get their shapes from shape inference (finish()).
#pragma once

#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/shape_inference.h"

namespace qatrt::testing {

struct TestGraph {
  Graph graph;

  ValueId input(const std::string& name, Shape shape, DType dtype = DType::kFloat32) {
    ValueId id = graph.add_value({.name = name, .dtype = dtype, .shape = std::move(shape)});
    graph.inputs.push_back(id);
    return id;
  }
  ValueId constant(const std::string& name, Tensor t) { return graph.add_constant(name, std::move(t)); }
  ValueId random_constant(const std::string& name, Shape shape, float range = 1.0f) {
    std::uniform_real_distribution<float> dist(-range, range);
    std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
    for (auto& e : v) e = dist(rng);
    return constant(name, Tensor::from_vector<float>(std::move(shape), v));
  }
  ValueId node(Op op, const std::string& name, std::vector<ValueId> inputs, std::map<std::string, AttrValue> attrs = {}) {
    ValueId out = graph.add_value({.name = name + "_out"});
    graph.add_node({.name = name, .op = op, .inputs = std::move(inputs), .outputs = {out}, .attrs = std::move(attrs)});
    return out;
  }
  void output(ValueId id) { graph.outputs.push_back(id); }
  Graph finish() {
    Status s = infer_shapes(graph);
    if (!s.ok()) ADD_FAILURE() << s.to_string();
    return graph;
  }

  std::mt19937 rng{7};
};

inline Tensor random_input(Shape shape, unsigned seed, float range = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-range, range);
  std::vector<float> v(static_cast<size_t>(shape_numel(shape)));
  for (auto& e : v) e = dist(rng);
  return Tensor::from_vector<float>(std::move(shape), v);
}

}  // namespace qatrt::testing
