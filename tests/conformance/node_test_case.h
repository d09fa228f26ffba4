// One ONNX backend node test (onnx/backend/test/data/node/test_*): its model, prepared for qatrt's importer,
// and its first test data set. Preparation does only what qatrt tells users to do themselves:
//   * a model below opset 13 is converted with ONNX's own version converter (the importer's remedy);
//   * graph inputs feeding operands qatrt requires constant (Reshape shape, Squeeze/Unsqueeze axes, Pad pads
//     and value, Clip min/max, Q/DQ scale and zero point) become initializers holding the test's data;
//   * optionally weights too (Conv/Gemm/MatMul weight and bias, BatchNormalization parameters), as in real
//     models: the optimization passes fuse only layers with constant weights.
#pragma once

#include <onnx/onnx_pb.h>

#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"

namespace qatrt::conformance {

struct NodeTestCase {
  std::string name;             // "test_conv_with_strides_padding"
  std::set<std::string> ops;    // op types the model uses (before preparation)
  int64_t original_opset = 0;
  onnx::ModelProto model;       // prepared
  std::vector<Tensor> inputs;   // in graph input order, after freezing
  std::vector<Tensor> expected_outputs;
  std::vector<std::string> notes;  // what preparation did, e.g. "converted from opset 11", "froze input 'shape'"
};

// Test directories under `root` (sorted).
std::vector<std::string> list_node_tests(const std::string& root);
// Reads model.onnx only (for the op list and skipping decisions).
StatusOr<onnx::ModelProto> read_model(const std::string& path);
// Loads and prepares a whole test case.
StatusOr<NodeTestCase> load_node_test(const std::string& root, const std::string& name, bool freeze_weights);

}  // namespace qatrt::conformance
