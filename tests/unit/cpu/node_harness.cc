#include "node_harness.h"

#include <cmath>
#include <cstring>
#include <sstream>

#include "ir/shape_inference.h"

namespace qatrt::cpu_test {

QuantParams per_tensor(float scale, int64_t zero_point) { return {{scale}, {zero_point}, 1}; }

QuantParams weight_quant(const std::vector<float>& scales, bool per_channel) {
  if (!per_channel) return {{scales.at(0)}, {0}, 0};
  return {scales, std::vector<int64_t>(scales.size(), 0), 0};
}

float max_abs(const Tensor& t) {
  float m = 0;
  for (int64_t i = 0; i < t.numel(); ++i) m = std::max(m, static_cast<float>(std::fabs(t.as_double(i))));
  return m;
}

NodeGraph::NodeGraph(Op op, std::map<std::string, AttrValue> attrs) {
  Node node;
  node.name = "node";
  node.op = op;
  node.attrs = std::move(attrs);
  graph.add_node(std::move(node));
}

ValueId NodeGraph::input(DType dtype, Shape shape, std::optional<QuantParams> quant) {
  ValueId id = graph.add_value({.name = "in" + std::to_string(node().inputs.size()), .dtype = dtype,
                                .shape = std::move(shape), .quant = std::move(quant)});
  graph.inputs.push_back(id);
  node().inputs.push_back(id);
  return id;
}

ValueId NodeGraph::constant(Tensor tensor, std::optional<QuantParams> quant) {
  ValueId id = graph.add_constant("const" + std::to_string(node().inputs.size()), std::move(tensor));
  graph.value(id).quant = std::move(quant);
  node().inputs.push_back(id);
  return id;
}

void NodeGraph::absent() { node().inputs.push_back(kNoValue); }

ValueId NodeGraph::output(DType dtype, Shape shape, std::optional<QuantParams> quant) {
  ValueId id = graph.add_value({.name = "out" + std::to_string(node().outputs.size()), .dtype = dtype,
                                .shape = std::move(shape), .quant = std::move(quant)});
  node().outputs.push_back(id);
  graph.outputs.push_back(id);
  return id;
}

Status NodeGraph::infer_output() {
  output(DType::kFloat32, {});
  return infer_node_shapes(graph, node());
}

Tensor nchw_to_nhwc(const Tensor& nchw) {
  const Shape& s = nchw.shape();
  Tensor out(nchw.dtype(), s);
  const size_t es = dtype_size(nchw.dtype());
  const auto* src = static_cast<const uint8_t*>(nchw.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t h = 0; h < s[2]; ++h)
        for (int64_t w = 0; w < s[3]; ++w)
          std::memcpy(dst + (((n * s[2] + h) * s[3] + w) * s[1] + c) * es,
                      src + (((n * s[1] + c) * s[2] + h) * s[3] + w) * es, es);
  return out;
}

Tensor nhwc_to_nchw(const Tensor& nhwc) {
  const Shape& s = nhwc.shape();
  Tensor out(nhwc.dtype(), s);
  const size_t es = dtype_size(nhwc.dtype());
  const auto* src = static_cast<const uint8_t*>(nhwc.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t n = 0; n < s[0]; ++n)
    for (int64_t c = 0; c < s[1]; ++c)
      for (int64_t h = 0; h < s[2]; ++h)
        for (int64_t w = 0; w < s[3]; ++w)
          std::memcpy(dst + (((n * s[1] + c) * s[2] + h) * s[3] + w) * es,
                      src + (((n * s[2] + h) * s[3] + w) * s[1] + c) * es, es);
  return out;
}

StatusOr<std::vector<Tensor>> run_on(Backend& backend, const Graph& graph, const std::vector<Tensor>& inputs) {
  const Node& node = graph.nodes.at(0);
  QATRT_RETURN_IF_ERROR(backend.supports(graph, node));
  const bool nhwc = backend.layout_policy(graph, node) == LayoutPolicy::kNhwc;
  auto physical = [&](const Tensor& t) { return nhwc && t.shape().size() == 4 ? nchw_to_nhwc(t) : t; };
  auto layout_of = [&](const Shape& s) { return nhwc && s.size() == 4 ? Layout::kNhwc : Layout::kNchw; };

  QATRT_ASSIGN_OR_RETURN(auto kernel, backend.create_kernel(graph, node));
  std::vector<Tensor> held;  // keeps converted inputs alive
  held.reserve(node.inputs.size());
  std::vector<TensorView> in_views;
  size_t next = 0;
  for (ValueId id : node.inputs) {
    TensorView view;
    if (id != kNoValue) {
      const Value& value = graph.value(id);
      held.push_back(value.constant ? *value.constant : physical(inputs.at(next++)));
      const Tensor& t = held.back();
      view = {.dtype = t.dtype(), .shape = t.shape(), .data = const_cast<void*>(t.raw()),
              .layout = value.constant ? Layout::kNchw : layout_of(t.shape())};
    }
    in_views.push_back(view);
  }
  std::vector<Tensor> outputs;
  std::vector<TensorView> out_views;
  for (ValueId id : node.outputs) outputs.emplace_back(graph.value(id).dtype, graph.value(id).shape);
  for (Tensor& t : outputs)
    out_views.push_back({.dtype = t.dtype(), .shape = t.shape(), .data = t.raw(), .layout = layout_of(t.shape())});
  QATRT_RETURN_IF_ERROR(kernel->run(in_views, out_views));
  for (Tensor& t : outputs)
    if (layout_of(t.shape()) == Layout::kNhwc) t = nhwc_to_nchw(t);
  return outputs;
}

Tensor random_quantized(DType type, Shape shape, std::mt19937& rng) {
  Tensor t(type, std::move(shape));
  std::uniform_int_distribution<int> dist(quant_min(type), quant_max(type));
  for (int64_t i = 0; i < t.numel(); ++i) {
    if (type == DType::kInt8)
      t.data<int8_t>()[i] = static_cast<int8_t>(dist(rng));
    else
      t.data<uint8_t>()[i] = static_cast<uint8_t>(dist(rng));
  }
  return t;
}

Tensor random_float(Shape shape, std::mt19937& rng, float lo, float hi) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::uniform_real_distribution<float> dist(lo, hi);
  for (float& v : t.values<float>()) v = dist(rng);
  return t;
}

std::string shape_text(const Shape& shape) {
  std::ostringstream out;
  out << "[";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << "]";
  return out.str();
}

namespace {
std::string index_text(const Shape& shape, int64_t flat) {
  Shape index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  return shape_text(index);
}
}  // namespace

Comparison compare(const Tensor& got, const Tensor& want, double allowed) {
  Comparison c;
  c.count = want.numel();
  if (got.dtype() != want.dtype() || got.shape() != want.shape()) {
    c.beyond = c.count;
    c.first_beyond = "dtype/shape differ: got " + std::string(dtype_name(got.dtype())) + " " +
                     shape_text(got.shape()) + ", want " + std::string(dtype_name(want.dtype())) + " " +
                     shape_text(want.shape());
    return c;
  }
  double bound = allowed;
  if (want.dtype() == DType::kFloat32) {
    double max_abs = 1;
    for (int64_t i = 0; i < c.count; ++i) max_abs = std::max(max_abs, std::fabs(want.as_double(i)));
    bound = allowed * max_abs;
  }
  for (int64_t i = 0; i < c.count; ++i) {
    double g = got.as_double(i), w = want.as_double(i);
    double diff = std::fabs(g - w);
    bool same = g == w || (std::isnan(g) && std::isnan(w));
    if (same) continue;
    ++c.different;
    c.max_abs_diff = std::max(c.max_abs_diff, std::isnan(diff) ? INFINITY : diff);
    if (!(diff <= bound)) {
      if (c.beyond++ == 0) {
        std::ostringstream out;
        out.precision(9);
        out << "at " << index_text(want.shape(), i) << ": got " << g << ", want " << w;
        c.first_beyond = out.str();
      }
    }
  }
  return c;
}

StatusOr<Comparison> compare_with_reference(Backend& backend, Backend& reference, const Graph& graph,
                                            const std::vector<Tensor>& inputs, double allowed) {
  auto want = run_on(reference, graph, inputs);
  if (!want.ok()) return make_error(want.status().code(), "reference backend: ", want.status().message());
  auto got = run_on(backend, graph, inputs);
  if (!got.ok()) return make_error(got.status().code(), "backend under test: ", got.status().message());
  return compare(got->at(0), want->at(0), allowed);
}

std::string describe(const Comparison& c) {
  std::ostringstream out;
  out << c.different << "/" << c.count << " differ, " << c.beyond << " beyond bound, max |diff| " << c.max_abs_diff;
  if (c.beyond) out << "; first " << c.first_beyond;
  return out.str();
}

}  // namespace qatrt::cpu_test
