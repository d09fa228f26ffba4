// Every ONNX node test of libonnx-testdata that qatrt imports and runs must re-export: export → onnx.checker →
// re-import → the same outputs, bit for bit, on the reference backend. Models the importer or the reference
// backend refuse are not the exporter's business and are counted, not failed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "onnx/tensor_proto.h"
#include "unit/export/export_test_util.h"

namespace qatrt {
namespace {

namespace fs = std::filesystem;
const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";

StatusOr<std::vector<Tensor>> run_on_reference(const Graph& graph, const std::vector<Tensor>& inputs) {
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(graph, {.backend = "reference", .threads = 1}));
  int64_t batch = inputs.empty() || inputs[0].shape().empty() ? 1 : inputs[0].shape()[0];
  QATRT_ASSIGN_OR_RETURN(auto context, engine->create_context(batch));
  return context->run(inputs);
}

// The inputs of test_data_set_0 in the order of the graph's inputs (matched by name through the model).
StatusOr<std::vector<Tensor>> read_inputs(const fs::path& test, const Graph& graph) {
  onnx::ModelProto model = testing::read_model((test / "model.onnx").string());
  std::set<std::string> initializers;
  for (const auto& init : model.graph().initializer()) initializers.insert(init.name());
  std::map<std::string, Tensor> by_name;
  int k = 0;
  for (const auto& input : model.graph().input()) {
    if (initializers.count(input.name())) continue;
    onnx::TensorProto proto;
    std::ifstream file(test / "test_data_set_0" / ("input_" + std::to_string(k++) + ".pb"), std::ios::binary);
    if (!proto.ParseFromIstream(&file)) return make_error(StatusCode::kNotFound, "no input data");
    QATRT_ASSIGN_OR_RETURN(by_name[input.name()], tensor_from_onnx(proto));
  }
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) {
    auto it = by_name.find(graph.value(id).name);
    if (it == by_name.end()) return make_error(StatusCode::kNotFound, "no data for ", graph.value(id).name);
    inputs.push_back(it->second);
  }
  return inputs;
}

bool bitwise_equal(const Tensor& a, const Tensor& b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

TEST(OnnxNodeRoundTrip, EveryRunnableNodeTestReexports) {
  if (!fs::exists(kNodeTests)) GTEST_SKIP() << kNodeTests << " absent (apt-get install libonnx-testdata)";
  testing::TempDir dir;
  std::vector<fs::path> tests;
  for (const auto& entry : fs::directory_iterator(kNodeTests)) tests.push_back(entry.path());
  std::sort(tests.begin(), tests.end());
  int runnable = 0, skipped = 0;
  std::string exported_paths;
  for (const fs::path& test : tests) {
    auto graph = import_onnx_file((test / "model.onnx").string());
    if (!graph.ok()) {
      ++skipped;
      continue;
    }
    auto inputs = read_inputs(test, *graph);
    auto expected = inputs.ok() ? run_on_reference(*graph, *inputs) : inputs.status();
    if (!expected.ok()) {
      ++skipped;
      continue;
    }
    ++runnable;
    SCOPED_TRACE(test.filename().string());
    for (WeightFormat format : {WeightFormat::kInt8, WeightFormat::kFloatWithQdq}) {
      std::string path = dir.file(test.filename().string() + (format == WeightFormat::kInt8 ? ".int8" : ".qdq") + ".onnx");
      Status exported = export_onnx(*graph, path, {.weights = format});
      ASSERT_TRUE(exported.ok()) << exported.to_string();
      exported_paths += " '" + path + "'";
      auto reimported = import_onnx_file(path);
      ASSERT_TRUE(reimported.ok()) << reimported.status().to_string();
      auto got = run_on_reference(*reimported, *inputs);
      ASSERT_TRUE(got.ok()) << got.status().to_string();
      ASSERT_EQ(got->size(), expected->size());
      for (size_t k = 0; k < got->size(); ++k) EXPECT_TRUE(bitwise_equal((*got)[k], (*expected)[k])) << "output " << k;
    }
  }
  std::cout << "[ note ] " << runnable << " node tests round-tripped, " << skipped
            << " not imported or not runnable on the reference backend\n";
  EXPECT_GT(runnable, 50);
  // One interpreter for all files: onnx.checker with full_check on each.
  if (testing::onnx_python_available()) {
    std::string command =
        "/usr/bin/python3 -c \"import onnx,sys\nbad=0\nfor p in sys.argv[1:]:\n"
        "  try: onnx.checker.check_model(onnx.load(p), full_check=True)\n"
        "  except Exception as e: print('REJECTED', p, e); bad=1\nsys.exit(bad)\"" + exported_paths;
    EXPECT_EQ(std::system(command.c_str()), 0) << "onnx.checker rejected one of the exported node tests";
  }
}

}  // namespace
}  // namespace qatrt
