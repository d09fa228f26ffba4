#include "node_test_case.h"

#include <onnx/version_converter/convert.h>

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "onnx/importer.h"
#include "onnx/tensor_proto.h"

namespace qatrt::conformance {
namespace fs = std::filesystem;
namespace {

StatusOr<std::string> read_bytes(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error(StatusCode::kNotFound, "cannot open ", path);
  std::ostringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

StatusOr<onnx::TensorProto> read_tensor_proto(const std::string& path) {
  QATRT_ASSIGN_OR_RETURN(std::string bytes, read_bytes(path));
  onnx::TensorProto proto;
  if (!proto.ParseFromString(bytes)) return make_error(StatusCode::kCorrupt, path, ": not a TensorProto");
  return proto;
}

// input_0.pb, input_1.pb … (numeric order; stops at the first gap).
std::vector<std::string> numbered_files(const fs::path& dir, const std::string& prefix) {
  std::vector<std::string> files;
  for (int i = 0;; ++i) {
    fs::path file = dir / (prefix + std::to_string(i) + ".pb");
    if (!fs::exists(file)) break;
    files.push_back(file.string());
  }
  return files;
}

int64_t default_opset(const onnx::ModelProto& model) {
  for (const auto& opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx") return opset.version();
  return 0;
}

// Operand positions qatrt's importer requires to be constants (src/ir/ops.h), per op type.
std::vector<int> constant_operand_positions(const std::string& op) {
  static const std::map<std::string, std::vector<int>> positions = {
      {"Reshape", {1}}, {"Squeeze", {1}},       {"Unsqueeze", {1}},       {"Pad", {1, 2}},
      {"Clip", {1, 2}}, {"QuantizeLinear", {1, 2}}, {"DequantizeLinear", {1, 2}}};
  auto it = positions.find(op);
  return it == positions.end() ? std::vector<int>{} : it->second;
}

// Weight operand positions (constant in real models).
std::vector<int> weight_positions(const std::string& op) {
  static const std::map<std::string, std::vector<int>> positions = {
      {"Conv", {1, 2}}, {"Gemm", {1, 2}}, {"MatMul", {1}}, {"BatchNormalization", {1, 2, 3, 4}}};
  auto it = positions.find(op);
  return it == positions.end() ? std::vector<int>{} : it->second;
}

}  // namespace

std::vector<std::string> list_node_tests(const std::string& root) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(root, error))
    if (entry.is_directory() && entry.path().filename().string().starts_with("test_"))
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

StatusOr<onnx::ModelProto> read_model(const std::string& path) {
  QATRT_ASSIGN_OR_RETURN(std::string bytes, read_bytes(path));
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) return make_error(StatusCode::kCorrupt, path, ": not a ModelProto");
  return model;
}

StatusOr<NodeTestCase> load_node_test(const std::string& root, const std::string& name, bool freeze_weights) {
  const fs::path dir = fs::path(root) / name;
  NodeTestCase test;
  test.name = name;
  QATRT_ASSIGN_OR_RETURN(test.model, read_model((dir / "model.onnx").string()));
  for (const auto& node : test.model.graph().node()) test.ops.insert(node.op_type());
  test.original_opset = default_opset(test.model);

  if (test.original_opset < kMinOnnxOpset) {
    try {
      test.model = onnx::version_conversion::ConvertVersion(test.model, static_cast<int>(kMinOnnxOpset));
    } catch (const std::exception& e) {
      return make_error(StatusCode::kUnsupported, "onnx version converter ", test.original_opset, " → ",
                        kMinOnnxOpset, " failed: ", e.what());
    }
    test.notes.push_back("converted from opset " + std::to_string(test.original_opset));
  }

  // Sequence / optional values have data files that are not TensorProtos; the importer refuses them anyway.
  for (const auto* values : {&test.model.graph().input(), &test.model.graph().output()})
    for (const auto& value : *values)
      if (!value.type().has_tensor_type())
        return make_error(StatusCode::kUnsupported, "graph value '", value.name(),
                          "' is not a tensor (sequence / optional types are not supported)");

  const fs::path data = dir / "test_data_set_0";
  std::vector<onnx::TensorProto> input_protos;
  for (const auto& file : numbered_files(data, "input_")) {
    QATRT_ASSIGN_OR_RETURN(auto proto, read_tensor_proto(file));
    input_protos.push_back(std::move(proto));
  }
  for (const auto& file : numbered_files(data, "output_")) {
    QATRT_ASSIGN_OR_RETURN(auto proto, read_tensor_proto(file));
    auto tensor = tensor_from_onnx(proto);
    if (!tensor.ok()) return tensor.status().with_context(file);
    test.expected_outputs.push_back(std::move(tensor).value());
  }

  // Graph inputs in order (initializers excluded), matched positionally with input_<i>.pb.
  auto* graph = test.model.mutable_graph();
  std::set<std::string> initializers;
  for (const auto& init : graph->initializer()) initializers.insert(init.name());
  std::vector<std::string> feed_names;
  for (const auto& input : graph->input())
    if (!initializers.count(input.name())) feed_names.push_back(input.name());
  if (feed_names.size() != input_protos.size())
    return make_error(StatusCode::kInvalidArgument, "model has ", feed_names.size(), " graph inputs, data set has ",
                      input_protos.size());

  std::set<std::string> frozen;
  for (const auto& node : graph->node()) {
    std::vector<int> positions = constant_operand_positions(node.op_type());
    if (freeze_weights)
      for (int position : weight_positions(node.op_type())) positions.push_back(position);
    for (int position : positions)
      if (position < node.input_size() && !node.input(position).empty()) frozen.insert(node.input(position));
  }
  for (size_t i = 0; i < feed_names.size(); ++i) {
    if (frozen.count(feed_names[i])) {
      onnx::TensorProto init = input_protos[i];
      init.set_name(feed_names[i]);
      *graph->add_initializer() = init;
      test.notes.push_back("froze input '" + feed_names[i] + "'");
      continue;
    }
    auto tensor = tensor_from_onnx(input_protos[i]);
    if (!tensor.ok()) return tensor.status().with_context("input '" + feed_names[i] + "'");
    test.inputs.push_back(std::move(tensor).value());
  }
  // A graph input that is also an initializer is a constant for the importer; drop it from the inputs too.
  auto* inputs = graph->mutable_input();
  for (int i = inputs->size() - 1; i >= 0; --i)
    if (frozen.count(inputs->Get(i).name())) inputs->DeleteSubrange(i, 1);
  return test;
}

}  // namespace qatrt::conformance
