// ONNX backend node tests on qatrt: every test whose model uses only ops the importer supports is imported
// and run in three configurations (the reference backend, the cpu backend, and the cpu backend after the
// int8 pass pipeline — see kConfigs), outputs compared with the test's expected outputs
// (float: |got − want| ≤ 1e-4 + 1e-4·|want|; integer and bool: exact). Known failures are listed, with
// their reasons, in expected_unsupported.txt; an unlisted failure or a listed test that passes fails the run.
// Output: one line per test and configuration ("RESULT <test> <config> pass|FAIL|expected-fail …", with the
// ops the runtime ran on the reference backend instead, if any), one summary line per op ("OP …") and the
// tests passing in every configuration per op ("COVERED …", pasted into docs/ops.md).
// Set QATRT_ONNX_NODE_TESTS to use another copy of onnx's node test data.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "expectations.h"
#include "node_test_case.h"
#include "onnx/importer.h"
#include "passes/builder.h"
#include "runtime/engine.h"

namespace qatrt::conformance {
namespace {

// How a test is run: the imported graph on a backend, or — like `qatrt build` — after the int8 pass pipeline
// (the CPU backend's conv/gemm kernels only take the fused ops the passes produce; on the plain imported
// graph the runtime falls back to the reference backend for those nodes, which the RESULT lines show).
// cpu-optimized also freezes the weights into initializers (node tests pass them as graph inputs), since the
// passes fuse only layers with constant weights.
struct RunConfig {
  std::string name;  // as written in expected_unsupported.txt
  std::string backend;
  bool optimize;
};
const std::vector<RunConfig> kConfigs = {
    {"reference", "reference", false}, {"cpu", "cpu", false}, {"cpu-optimized", "cpu", true}};

// The test prepared for one configuration (weights frozen when optimizing), imported.
struct PreparedTest {
  std::string failure;  // load or import error; empty when ready
  std::optional<NodeTestCase> test;
  Graph graph;
  std::string notes;  // " (converted from opset 11, froze input 'shape')"
};

PreparedTest prepare(const std::string& root, const std::string& name, bool freeze_weights) {
  PreparedTest prepared;
  auto test = load_node_test(root, name, freeze_weights);
  if (!test.ok()) {
    prepared.failure = "load: " + test.status().to_string();
    return prepared;
  }
  for (const auto& note : test->notes) prepared.notes += (prepared.notes.empty() ? " (" : ", ") + note;
  if (!prepared.notes.empty()) prepared.notes += ")";
  auto imported = import_onnx_bytes(test->model.SerializeAsString(), name);
  if (imported.ok()) prepared.graph = std::move(imported).value();
  else prepared.failure = "import: " + imported.status().to_string();
  prepared.test = std::move(test).value();
  return prepared;
}

std::vector<std::string> config_names() {
  std::vector<std::string> names;
  for (const auto& config : kConfigs) names.push_back(config.name);
  return names;
}
constexpr double kTolerance = 1e-4;

std::string node_tests_root() {
  if (const char* root = std::getenv("QATRT_ONNX_NODE_TESTS")) return root;
  return "/usr/share/libonnx-testdata/data/node";
}

// Empty when equal; otherwise the first mismatch, with index and both values.
std::string compare(const Tensor& got, const Tensor& want) {
  std::ostringstream out;
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    out << "got " << dtype_name(got.dtype()) << shape_to_string(got.shape()) << ", want "
        << dtype_name(want.dtype()) << shape_to_string(want.shape());
    return out.str();
  }
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double g = got.as_double(i), w = want.as_double(i);
    bool equal;
    if (want.dtype() == DType::kFloat32)
      equal = (std::isnan(g) && std::isnan(w)) || g == w || std::fabs(g - w) <= kTolerance + kTolerance * std::fabs(w);
    else
      equal = got.as_int64(i) == want.as_int64(i);
    if (!equal) {
      out << "element " << i << " of " << want.numel() << ": got " << g << ", want " << w;
      return out.str();
    }
  }
  return "";
}

int64_t batch_of(const NodeTestCase& test) {
  if (test.inputs.empty() || test.inputs[0].shape().empty()) return 1;
  return test.inputs[0].shape()[0];
}

struct BackendRun {
  std::string failure;               // empty on success
  std::set<std::string> fallback_ops;  // ops of nodes another backend ran (the runtime's recorded fallbacks)
};

BackendRun run_config(const NodeTestCase& test, Graph graph, const RunConfig& config) {
  BackendRun result;
  const std::string& backend = config.backend;
  if (config.optimize) {
    PassContext passes;
    Status built = optimize_graph(graph, PrecisionMode::kInt8, passes);
    if (!built.ok()) return {"passes: " + built.to_string(), {}};
  }
  auto engine = Engine::create(graph, {.backend = backend, .threads = 1});
  if (!engine.ok()) return {"engine: " + engine.status().to_string(), {}};
  auto context = (*engine)->create_context(batch_of(test));
  if (!context.ok()) return {"context: " + context.status().to_string(), {}};
  for (const auto& assignment : (*context)->assignments())
    if (assignment.backend != backend)
      for (const auto& node : graph.nodes)
        if (node.name == assignment.node) result.fallback_ops.insert(std::string(op_name(node.op)));
  auto outputs = (*context)->run(test.inputs);
  if (!outputs.ok()) {
    result.failure = "run: " + outputs.status().to_string();
  } else if (outputs->size() != test.expected_outputs.size()) {
    result.failure = "got " + std::to_string(outputs->size()) + " outputs, want " +
                     std::to_string(test.expected_outputs.size());
  } else {
    for (size_t i = 0; i < outputs->size() && result.failure.empty(); ++i)
      if (std::string diff = compare((*outputs)[i], test.expected_outputs[i]); !diff.empty())
        result.failure = "output " + std::to_string(i) + ": " + diff;
  }
  return result;
}

struct OpTally {
  std::map<std::string, int> passed, expected_fail, unexpected;  // per backend
  std::map<std::string, int> passed_by_fallback;  // passed, but some node ran on the reference backend instead
  int skipped = 0;
  std::vector<std::string> covered;  // tests passing on every backend
};

TEST(OnnxNodeConformance, SupportedNodeTests) {
  const std::string root = node_tests_root();
  if (!std::filesystem::is_directory(root)) GTEST_SKIP() << root << " not found (install libonnx-testdata)";
  auto expectations = read_expectations(QATRT_SOURCE_DIR "/tests/conformance/expected_unsupported.txt", config_names());
  ASSERT_TRUE(expectations.ok()) << expectations.status().to_string();

  const auto supported_list = supported_onnx_ops();
  const std::set<std::string> supported(supported_list.begin(), supported_list.end());
  std::map<std::string, OpTally> tally;
  std::map<std::string, int> skipped_for;  // unsupported op → tests skipped because of it
  std::set<std::pair<std::string, std::string>> seen;
  int skipped = 0, run = 0, failures = 0;

  for (const std::string& name : list_node_tests(root)) {
    auto model = read_model(root + "/" + name + "/model.onnx");
    ASSERT_TRUE(model.ok()) << model.status().to_string();
    std::set<std::string> ops;
    bool runnable = true;
    for (const auto& node : model->graph().node()) {
      ops.insert(node.op_type());
      if (!supported.count(node.op_type())) {
        runnable = false;
        ++skipped_for[node.op_type()];
      }
    }
    if (!runnable) {
      ++skipped;
      for (const auto& op : ops)
        if (supported.count(op)) ++tally[op].skipped;
      continue;
    }
    ++run;

    const PreparedTest plain = prepare(root, name, /*freeze_weights=*/false);
    const PreparedTest frozen = prepare(root, name, /*freeze_weights=*/true);

    bool all_passed = true;
    for (const auto& config : kConfigs) {
      const std::string& backend = config.name;
      const PreparedTest& prepared = config.optimize ? frozen : plain;
      const std::string& notes = prepared.notes;
      BackendRun outcome = prepared.failure.empty() ? run_config(*prepared.test, prepared.graph, config)
                                                    : BackendRun{prepared.failure, {}};
      const std::string& failure = outcome.failure;
      std::string fallback;  // fallback_ops names ops whose nodes ran on the reference backend instead
      for (const auto& op : outcome.fallback_ops) fallback += (fallback.empty() ? " [fallback to reference: " : ", ") + op;
      if (!fallback.empty()) fallback += "]";
      const auto key = std::make_pair(name, backend);
      seen.insert(key);
      const auto expected = expectations->find(key);
      const bool listed = expected != expectations->end();
      std::string verdict;
      if (failure.empty() && !listed) {
        verdict = "pass" + fallback;
        for (const auto& op : ops) ++tally[op].passed[backend];
        if (!outcome.fallback_ops.empty())  // node tests hold one op (plus Constants): charge the test's ops
          for (const auto& op : ops) ++tally[op].passed_by_fallback[backend];
      } else if (failure.empty()) {
        verdict = "FAIL (listed in expected_unsupported.txt but passes; remove the line)";
        ADD_FAILURE() << name << " on " << backend << " passes but is listed as expected to fail: " << expected->second;
      } else if (listed) {
        verdict = "expected-fail [" + expected->second + "]: " + failure;
        for (const auto& op : ops) ++tally[op].expected_fail[backend];
      } else {
        verdict = "FAIL: " + failure;
        ADD_FAILURE() << name << " on " << backend << notes << ": " << failure;
      }
      if (!failure.empty() || listed) all_passed = false;
      if (verdict.starts_with("FAIL")) {
        ++failures;
        for (const auto& op : ops) ++tally[op].unexpected[backend];
      }
      std::cout << "RESULT " << name << " " << backend << " " << verdict << notes << "\n";
    }
    if (all_passed)
      for (const auto& op : ops) tally[op].covered.push_back(name);
  }

  for (const auto& [key, reason] : *expectations)
    if (!seen.count(key))
      ADD_FAILURE() << "expected_unsupported.txt lists " << key.first << " on " << key.second
                    << ", which is not a runnable node test; remove the line";

  std::cout << "\nSUMMARY ran " << run << " node tests in " << kConfigs.size() << " configurations, skipped " << skipped
            << " that use ops qatrt does not import:";
  for (const auto& [op, count] : skipped_for) std::cout << " " << op << "(" << count << ")";
  std::cout << "\n";
  for (const auto& [op, t] : tally) {
    std::cout << "OP " << op << ":";
    for (const auto& backend : config_names())
      std::cout << " " << backend << " passed " << (t.passed.count(backend) ? t.passed.at(backend) : 0)
                << " (by fallback " << (t.passed_by_fallback.count(backend) ? t.passed_by_fallback.at(backend) : 0)
                << ") expected-fail " << (t.expected_fail.count(backend) ? t.expected_fail.at(backend) : 0)
                << " FAILED " << (t.unexpected.count(backend) ? t.unexpected.at(backend) : 0) << ";";
    std::cout << " skipped " << t.skipped << "\n";
  }
  for (const auto& [op, t] : tally) {
    std::cout << "COVERED " << op << ":";
    for (const auto& name : t.covered) std::cout << " " << name;
    std::cout << "\n";
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace qatrt::conformance
