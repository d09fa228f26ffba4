#include "network_harness.h"

#include <cmath>
#include <cstring>
#include <iomanip>
#include <sstream>

#include "ir/shape_inference.h"
#include "runtime/engine.h"

#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/device.h"
#endif

namespace qatrt::cuda_test {

std::string cuda_unavailable() {
#ifdef QATRT_HAVE_CUDA
  const cuda::DeviceInfo info = cuda::query_devices();
  return info.count > 0 ? "" : "no CUDA device: " + info.error;
#else
  return "built without CUDA";
#endif
}

QuantParams per_tensor(float scale, int64_t zero_point) { return {{scale}, {zero_point}, 1}; }

ValueId GraphBuilder::input(DType dtype, Shape shape, std::optional<QuantParams> quant) {
  const ValueId id = graph.add_value({.name = "input" + std::to_string(graph.inputs.size()), .dtype = dtype,
                                      .shape = std::move(shape), .quant = std::move(quant)});
  graph.inputs.push_back(id);
  return id;
}

ValueId GraphBuilder::constant(Tensor tensor, std::optional<QuantParams> quant) {
  const ValueId id = graph.add_constant("constant" + std::to_string(graph.values.size()), std::move(tensor));
  graph.value(id).quant = std::move(quant);
  return id;
}

ValueId GraphBuilder::node(Op op, std::vector<ValueId> inputs, std::map<std::string, AttrValue> attrs,
                           std::optional<DType> out_dtype, std::optional<QuantParams> out_quant) {
  const std::string name = std::string(op_name(op)) + "_" + std::to_string(graph.nodes.size());
  const ValueId out = graph.add_value({.name = name + "_out", .dtype = out_dtype.value_or(DType::kFloat32),
                                       .quant = std::move(out_quant)});
  Node& node = graph.add_node({.name = name, .op = op, .inputs = std::move(inputs), .outputs = {out},
                               .attrs = std::move(attrs)});
  if (Status s = infer_node_shapes(graph, node); !s.ok() && status_.ok()) status_ = s;
  return out;
}

ValueId GraphBuilder::quantize(ValueId x, float scale, int64_t zero_point) {
  return node(Op::kQuantizeLinear, {x},
              {{"scale", std::vector<float>{scale}},
               {"zero_point", std::vector<int64_t>{zero_point}},
               {"output_dtype", static_cast<int64_t>(DType::kInt8)}});
}

Tensor random_float(const Shape& shape, std::mt19937& rng, float lo, float hi) {
  Tensor t(DType::kFloat32, shape);
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& v : t.values<float>()) v = dist(rng);
  return t;
}

Tensor random_int8(const Shape& shape, std::mt19937& rng, int lo, int hi) {
  Tensor t(DType::kInt8, shape);
  std::uniform_int_distribution<int> dist(lo, hi);
  for (int8_t& v : t.values<int8_t>()) v = static_cast<int8_t>(dist(rng));
  return t;
}

namespace {

StatusOr<std::vector<Tensor>> run_on(const Graph& graph, const std::string& backend, const std::vector<Tensor>& inputs) {
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(graph, {.backend = backend, .threads = 2}));
  const int64_t batch = inputs.empty() || inputs[0].shape().empty() ? 1 : inputs[0].shape()[0];
  QATRT_ASSIGN_OR_RETURN(auto context, engine->create_context(batch));
  // Twice: the first run is eager, the second replays the captured CUDA graph; both must give the result.
  QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> first, context->run(inputs));
  QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> second, context->run(inputs));
  for (size_t i = 0; i < first.size(); ++i)
    if (std::memcmp(first[i].raw(), second[i].raw(), first[i].nbytes()) != 0)
      return make_error(StatusCode::kInternal, backend, ": output ", i, " differs between the first and second run");
  return second;
}

std::string compare_tensor(const Tensor& got, const Tensor& want, double tolerance) {
  std::ostringstream out;
  out << std::setprecision(9);
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    out << "got " << dtype_name(got.dtype()) << shape_to_string(got.shape()) << ", want " << dtype_name(want.dtype())
        << shape_to_string(want.shape());
    return out.str();
  }
  double scale = 1;
  for (int64_t i = 0; i < want.numel(); ++i) scale = std::max(scale, std::fabs(want.as_double(i)));
  const double allowed = want.dtype() == DType::kFloat32 ? tolerance * scale : 0;
  int64_t wrong = 0;
  for (int64_t i = 0; i < want.numel(); ++i) {
    const double g = got.as_double(i), w = want.as_double(i);
    if (std::fabs(g - w) <= allowed && !std::isnan(g)) continue;
    if (wrong++ < 5) out << " [" << i << "] got " << g << " want " << w << ";";
  }
  if (wrong == 0) return "";
  return std::to_string(wrong) + " of " + std::to_string(want.numel()) + " elements differ (allowed " +
         std::to_string(allowed) + "):" + out.str();
}

}  // namespace

std::string compare_with_reference(const Graph& graph, const std::vector<Tensor>& inputs, double tolerance) {
  return compare_graphs(graph, graph, inputs, tolerance);
}

std::string compare_graphs(const Graph& gpu_graph, const Graph& reference_graph, const std::vector<Tensor>& inputs,
                           double tolerance) {
  auto cuda = run_on(gpu_graph, "cuda", inputs);
  if (!cuda.ok()) return "cuda: " + cuda.status().to_string();
  auto reference = run_on(reference_graph, "reference", inputs);
  if (!reference.ok()) return "reference: " + reference.status().to_string();
  for (size_t i = 0; i < cuda->size(); ++i)
    if (std::string diff = compare_tensor((*cuda)[i], (*reference)[i], tolerance); !diff.empty())
      return "output '" + reference_graph.value(reference_graph.outputs[i]).name + "': " + diff;
  return "";
}

}  // namespace qatrt::cuda_test
