// Export test helpers: build small IR graphs by hand, run ONNX's own checker on an exported file, and
// round-trip export → import_onnx_file → reference backend.
#pragma once

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "export/onnx_exporter.h"
#include "ir/shape_inference.h"
#include "ir/verifier.h"
#include "onnx/importer.h"
#include "unit/keras/keras_model_writer.h"

namespace qatrt::testing {

// Nodes named like their single output value.
class GraphBuilder {
 public:
  ValueId input(const std::string& name, Shape shape) {
    ValueId id = graph.add_value({.name = name, .shape = std::move(shape)});
    graph.inputs.push_back(id);
    return id;
  }
  ValueId constant(const std::string& name, Tensor tensor, std::optional<QuantParams> quant = std::nullopt) {
    ValueId id = graph.add_constant(name, std::move(tensor));
    graph.value(id).quant = std::move(quant);
    return id;
  }
  ValueId node(const std::string& name, Op op, std::vector<ValueId> inputs, std::map<std::string, AttrValue> attrs = {}) {
    ValueId out = graph.add_value({.name = name});
    graph.add_node({.name = name, .op = op, .inputs = std::move(inputs), .outputs = {out}, .attrs = std::move(attrs)});
    return out;
  }
  // Per-tensor (one scale) or per-axis Q / DQ attributes; the zero points default to 0.
  static std::map<std::string, AttrValue> qdq(std::vector<float> scales, std::vector<int64_t> zero_points = {},
                                              int64_t axis = 1, std::optional<DType> output = std::nullopt) {
    if (zero_points.empty()) zero_points.assign(scales.size(), 0);
    std::map<std::string, AttrValue> attrs = {{"scale", scales}, {"zero_point", zero_points}, {"axis", axis}};
    if (output) attrs["output_dtype"] = static_cast<int64_t>(*output);
    return attrs;
  }
  Graph finish(std::vector<ValueId> outputs) {
    graph.outputs = std::move(outputs);
    Status status = infer_shapes(graph);
    if (status.ok()) status = verify_graph(graph);
    EXPECT_TRUE(status.ok()) << status.to_string();
    return graph;
  }

  Graph graph;
};

inline bool onnx_python_available() {
  static const bool available = std::system("/usr/bin/python3 -c 'import onnx' >/dev/null 2>&1") == 0;
  return available;
}

// ONNX's checker with full_check (which also runs ONNX shape inference against our value_info).
inline void expect_onnx_checker_accepts(const std::string& path) {
  if (!onnx_python_available()) {
    std::cout << "[ note ] /usr/bin/python3 has no onnx module: checker not run on " << path << "\n";
    return;
  }
  std::string command =
      "/usr/bin/python3 -c \"import onnx,sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)\" '" +
      path + "'";
  EXPECT_EQ(std::system(command.c_str()), 0) << "onnx.checker rejected " << path;
}

inline onnx::ModelProto read_model(const std::string& path) {
  onnx::ModelProto model;
  std::ifstream file(path, std::ios::binary);
  EXPECT_TRUE(model.ParseFromIstream(&file)) << path;
  return model;
}

// Exports, checks with ONNX, re-imports; the re-imported graph (empty on failure).
inline Graph export_and_reimport(const Graph& graph, WeightFormat weights, const TempDir& dir,
                                 const std::string& file_name = "model.onnx") {
  std::string path = dir.file(file_name);
  Status exported = export_onnx(graph, path, {.weights = weights});
  EXPECT_TRUE(exported.ok()) << exported.to_string();
  if (!exported.ok()) return {};
  expect_onnx_checker_accepts(path);
  auto imported = import_onnx_file(path);
  EXPECT_TRUE(imported.ok()) << imported.status().to_string();
  return imported.ok() ? std::move(imported).value() : Graph{};
}

inline void expect_same_outputs(const std::vector<Tensor>& got, const std::vector<Tensor>& expected) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t k = 0; k < got.size(); ++k) {
    ASSERT_EQ(got[k].shape(), expected[k].shape()) << "output " << k;
    ASSERT_EQ(got[k].dtype(), expected[k].dtype()) << "output " << k;
    auto a = got[k].to_float_vector(), b = expected[k].to_float_vector();
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], b[i]) << "output " << k << " element " << i;
  }
}

inline int count_nodes(const onnx::ModelProto& model, const std::string& op_type) {
  int count = 0;
  for (const auto& node : model.graph().node()) count += node.op_type() == op_type;
  return count;
}

inline const onnx::TensorProto* find_initializer(const onnx::ModelProto& model, const std::string& name) {
  for (const auto& init : model.graph().initializer())
    if (init.name() == name) return &init;
  return nullptr;
}

}  // namespace qatrt::testing
