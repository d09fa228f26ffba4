// Test helpers for the pass tests: a small graph builder (concrete shapes, Q/DQ in the normalised form of
// src/ir/ops.h), a runner (the runtime Engine on the reference backend), random tensors, and comparisons that
// print the first mismatch.
//
// Exactness: tests that demand bit-equal results use power-of-two scales and small integers, so every float
// product and sum in the unfused graph is exact and equals the fused int32 computation.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/quant.h"
#include "ir/graph.h"
#include "passes/pass.h"

namespace qatrt::testing {

QuantParams per_tensor(float scale, int64_t zero_point = 0);
QuantParams per_axis(std::vector<float> scales, int64_t axis, std::vector<int64_t> zero_points = {});

class GraphBuilder {
 public:
  explicit GraphBuilder(uint32_t seed = 1) : rng(seed) {}

  ValueId input(const std::string& name, Shape shape, DType dtype = DType::kFloat32,
                std::optional<QuantParams> quant = std::nullopt);
  ValueId constant(const std::string& name, Tensor tensor, std::optional<QuantParams> quant = std::nullopt);
  // Random float constant: multiples of `step` in [lo, hi].
  ValueId float_constant(const std::string& name, Shape shape, float lo, float hi, float step = 0.0f);
  // Random int8/uint8 constant in [lo, hi] carrying `quant`.
  ValueId int_constant(const std::string& name, Shape shape, DType dtype, QuantParams quant, int lo = -128,
                       int hi = 127);
  // Adds a node; creates and returns its output value ("<name>_out").
  ValueId node(Op op, const std::string& name, std::vector<ValueId> inputs,
               std::map<std::string, AttrValue> attrs = {});
  ValueId quantize(ValueId x, const QuantParams& params, DType dtype = DType::kInt8, const std::string& name = "");
  ValueId dequantize(ValueId q, const QuantParams& params, const std::string& name = "");
  // The int8 weight of a conv/gemm as an importer leaves it: int8 constant (with quant) → DQ. Symmetric
  // narrow range [-127, 127] by default, as the exporters write weights.
  ValueId weight(const std::string& name, Shape shape, const QuantParams& params, int lo = -127, int hi = 127);
  ValueId conv(const std::string& name, ValueId x, ValueId w, ValueId bias = kNoValue,
               std::map<std::string, AttrValue> attrs = {});
  void output(ValueId id) { graph.outputs.push_back(id); }
  // The inferred shape of a value of the graph built so far.
  Shape shape_of(ValueId id);
  // Shape inference + verifier; fails the test on error.
  Graph finish();

  Graph graph;
  std::mt19937 rng;
};

Tensor random_tensor(std::mt19937& rng, DType dtype, const Shape& shape, double lo, double hi, double step = 0.0);
// One random tensor per graph input (floats: multiples of 1/8 in [-8, 8]; ints: full range).
std::vector<Tensor> random_inputs(const Graph& graph, std::mt19937& rng);

// Runs the graph with the runtime Engine on the reference backend. Fails (naming the node) if a kernel is missing.
StatusOr<std::vector<Tensor>> run_reference(const Graph& graph, const std::vector<Tensor>& inputs);

// Applies a pass, then shape inference and the verifier (as the pipeline does); the log is printed on failure.
Status apply_pass(Graph& graph, const std::function<Status(Graph&, PassContext&)>& pass, PassContext* context = nullptr);

// Bit-exact / relative comparisons; `what` names the case in the failure message.
::testing::AssertionResult same_tensors(const Tensor& expected, const Tensor& actual);
::testing::AssertionResult close_tensors(const Tensor& expected, const Tensor& actual, double rel, double abs_floor);

// Runs `before` and `after` on the same random inputs (several draws) and compares all outputs.
void expect_equivalent(const Graph& before, const Graph& after, bool exact, const std::string& what, int draws = 3,
                       double rel = 1e-4);

int count_ops(const Graph& graph, Op op);
const Node* find_op(const Graph& graph, Op op);  // first node with this op, or nullptr
// Everything needed to reproduce a failure: the graph, printed.
std::string dump(const Graph& graph);

}  // namespace qatrt::testing
