#include "pass_test_util.h"

#include <cmath>
#include <sstream>

#include "ir/printer.h"
#include "ir/shape_inference.h"
#include "ir/verifier.h"
#include "runtime/engine.h"

namespace qatrt::testing {

QuantParams per_tensor(float scale, int64_t zero_point) { return QuantParams{{scale}, {zero_point}, 1}; }

QuantParams per_axis(std::vector<float> scales, int64_t axis, std::vector<int64_t> zero_points) {
  if (zero_points.empty()) zero_points.assign(scales.size(), 0);
  return QuantParams{std::move(scales), std::move(zero_points), axis};
}

ValueId GraphBuilder::input(const std::string& name, Shape shape, DType dtype, std::optional<QuantParams> quant) {
  ValueId id = graph.add_value({.name = name, .dtype = dtype, .shape = std::move(shape), .quant = std::move(quant)});
  graph.inputs.push_back(id);
  return id;
}

ValueId GraphBuilder::constant(const std::string& name, Tensor tensor, std::optional<QuantParams> quant) {
  ValueId id = graph.add_constant(graph.unique_name(name), std::move(tensor));
  graph.value(id).quant = std::move(quant);
  return id;
}

ValueId GraphBuilder::float_constant(const std::string& name, Shape shape, float lo, float hi, float step) {
  return constant(name, random_tensor(rng, DType::kFloat32, shape, lo, hi, step));
}

ValueId GraphBuilder::int_constant(const std::string& name, Shape shape, DType dtype, QuantParams quant, int lo,
                                   int hi) {
  return constant(name, random_tensor(rng, dtype, shape, lo, hi, 1.0), std::move(quant));
}

ValueId GraphBuilder::node(Op op, const std::string& name, std::vector<ValueId> inputs,
                           std::map<std::string, AttrValue> attrs) {
  ValueId out = graph.add_value({.name = graph.unique_name(name + "_out")});
  graph.add_node({.name = graph.unique_name(name), .op = op, .inputs = std::move(inputs), .outputs = {out},
                  .attrs = std::move(attrs)});
  return out;
}

ValueId GraphBuilder::quantize(ValueId x, const QuantParams& params, DType dtype, const std::string& name) {
  return node(Op::kQuantizeLinear, name.empty() ? graph.value(x).name + "_q" : name, {x},
              {{"scale", params.scales}, {"zero_point", params.zero_points}, {"axis", params.axis},
               {"output_dtype", static_cast<int64_t>(dtype)}});
}

ValueId GraphBuilder::dequantize(ValueId q, const QuantParams& params, const std::string& name) {
  return node(Op::kDequantizeLinear, name.empty() ? graph.value(q).name + "_dq" : name, {q},
              {{"scale", params.scales}, {"zero_point", params.zero_points}, {"axis", params.axis}});
}

ValueId GraphBuilder::weight(const std::string& name, Shape shape, const QuantParams& params, int lo, int hi) {
  return dequantize(int_constant(name, std::move(shape), DType::kInt8, params, lo, hi), params, name + "_dq");
}

ValueId GraphBuilder::conv(const std::string& name, ValueId x, ValueId w, ValueId bias,
                           std::map<std::string, AttrValue> attrs) {
  std::vector<ValueId> inputs = {x, w};
  if (bias != kNoValue) inputs.push_back(bias);
  return node(Op::kConv, name, inputs, std::move(attrs));
}

Shape GraphBuilder::shape_of(ValueId id) {
  Status status = infer_shapes(graph);
  EXPECT_TRUE(status.ok()) << status.to_string();
  return graph.value(id).shape;
}

Graph GraphBuilder::finish() {
  Status status = infer_shapes(graph);
  if (status.ok()) status = verify_graph(graph);
  EXPECT_TRUE(status.ok()) << "test graph is invalid: " << status.to_string() << "\n" << dump(graph);
  return graph;
}

Tensor random_tensor(std::mt19937& rng, DType dtype, const Shape& shape, double lo, double hi, double step) {
  Tensor t(dtype, shape);
  std::uniform_real_distribution<double> uniform(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) {
    double v = uniform(rng);
    if (step > 0) v = std::round(v / step) * step;
    switch (dtype) {
      case DType::kFloat32: t.data<float>()[i] = static_cast<float>(v); break;
      case DType::kInt8: t.data<int8_t>()[i] = static_cast<int8_t>(std::clamp(std::lround(v), -128L, 127L)); break;
      case DType::kUInt8: t.data<uint8_t>()[i] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L)); break;
      case DType::kInt32: t.data<int32_t>()[i] = static_cast<int32_t>(std::lround(v)); break;
      default: ADD_FAILURE() << "random_tensor: unsupported dtype " << dtype_name(dtype);
    }
  }
  return t;
}

std::vector<Tensor> random_inputs(const Graph& graph, std::mt19937& rng) {
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) {
    const Value& v = graph.value(id);
    if (v.dtype == DType::kFloat32)
      inputs.push_back(random_tensor(rng, v.dtype, v.shape, -8.0, 8.0, 0.125));
    else if (v.dtype == DType::kUInt8)
      inputs.push_back(random_tensor(rng, v.dtype, v.shape, 0, 255, 1.0));
    else
      inputs.push_back(random_tensor(rng, v.dtype, v.shape, -128, 127, 1.0));
  }
  return inputs;
}

StatusOr<std::vector<Tensor>> run_reference(const Graph& graph, const std::vector<Tensor>& inputs) {
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(graph, {.backend = "reference", .threads = 1}));
  // Test graphs have static shapes; the batch only matters for dynamic inputs.
  int64_t batch = inputs.empty() || inputs[0].shape().empty() ? 1 : inputs[0].shape()[0];
  QATRT_ASSIGN_OR_RETURN(auto context, engine->create_context(batch));
  return context->run(inputs);
}

Status apply_pass(Graph& graph, const std::function<Status(Graph&, PassContext&)>& pass, PassContext* context) {
  PassContext local;
  PassContext& ctx = context ? *context : local;
  Status status = pass(graph, ctx);
  if (status.ok()) status = infer_shapes(graph);
  if (status.ok()) status = verify_graph(graph);
  if (!status.ok()) {
    std::string log;
    for (const auto& line : ctx.log) log += "  " + line + "\n";
    return status.with_context("pass log:\n" + log + "graph:\n" + dump(graph));
  }
  return status;
}

namespace {

std::string element_string(const Tensor& t, int64_t i) {
  std::ostringstream out;
  out << t.as_double(i);
  return out.str();
}

std::string index_string(const Shape& shape, int64_t flat) {
  std::string text = "]";
  for (size_t d = shape.size(); d-- > 0;) {
    text = std::to_string(flat % shape[d]) + (text == "]" ? "" : ",") + text;
    flat /= shape[d];
  }
  return "[" + text;
}

::testing::AssertionResult same_layout(const Tensor& expected, const Tensor& actual) {
  if (expected.dtype() != actual.dtype() || expected.shape() != actual.shape())
    return ::testing::AssertionFailure() << "expected " << dtype_name(expected.dtype())
                                         << shape_to_string(expected.shape()) << ", got "
                                         << dtype_name(actual.dtype()) << shape_to_string(actual.shape());
  return ::testing::AssertionSuccess();
}

}  // namespace

::testing::AssertionResult same_tensors(const Tensor& expected, const Tensor& actual) {
  if (auto layout = same_layout(expected, actual); !layout) return layout;
  int64_t mismatches = 0, first = -1;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    if (expected.as_double(i) == actual.as_double(i)) continue;
    if (first < 0) first = i;
    ++mismatches;
  }
  if (mismatches == 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << mismatches << " of " << expected.numel() << " elements differ; first at "
                                       << index_string(expected.shape(), first) << ": expected "
                                       << element_string(expected, first) << ", got " << element_string(actual, first);
}

::testing::AssertionResult close_tensors(const Tensor& expected, const Tensor& actual, double rel, double abs_floor) {
  if (auto layout = same_layout(expected, actual); !layout) return layout;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    double e = expected.as_double(i), a = actual.as_double(i);
    if (std::fabs(e - a) <= rel * std::max(std::fabs(e), abs_floor)) continue;
    return ::testing::AssertionFailure() << "element " << index_string(expected.shape(), i) << ": expected " << e
                                         << ", got " << a << " (relative tolerance " << rel << ")";
  }
  return ::testing::AssertionSuccess();
}

void expect_equivalent(const Graph& before, const Graph& after, bool exact, const std::string& what, int draws,
                       double rel) {
  std::mt19937 rng(1234);
  for (int draw = 0; draw < draws; ++draw) {
    auto inputs = random_inputs(before, rng);
    auto expected = run_reference(before, inputs);
    ASSERT_TRUE(expected.ok()) << what << ": original graph: " << expected.status().to_string() << "\n"
                               << dump(before);
    auto actual = run_reference(after, inputs);
    ASSERT_TRUE(actual.ok()) << what << ": rewritten graph: " << actual.status().to_string() << "\n" << dump(after);
    ASSERT_EQ(expected->size(), actual->size());
    for (size_t i = 0; i < expected->size(); ++i) {
      // Float outputs are compared against the output's own magnitude scale (values near zero after a
      // cancellation would make a pure relative test meaningless).
      double floor = 0;
      for (int64_t j = 0; j < (*expected)[i].numel(); ++j) floor = std::max(floor, std::fabs((*expected)[i].as_double(j)));
      auto result = exact ? same_tensors((*expected)[i], (*actual)[i])
                          : close_tensors((*expected)[i], (*actual)[i], rel, floor * 1e-2 + 1e-6);
      EXPECT_TRUE(result) << what << ": output " << i << " ('" << after.value(after.outputs[i]).name << "'), draw "
                          << draw << "\nbefore:\n" << dump(before) << "after:\n" << dump(after);
      if (!result) return;
    }
  }
}

int count_ops(const Graph& graph, Op op) {
  int count = 0;
  for (const Node& node : graph.nodes) count += node.op == op;
  return count;
}

const Node* find_op(const Graph& graph, Op op) {
  for (const Node& node : graph.nodes)
    if (node.op == op) return &node;
  return nullptr;
}

std::string dump(const Graph& graph) { return print_graph(graph); }

}  // namespace qatrt::testing
