#include "ir/printer.h"

#include <cstdio>
#include <sstream>

namespace qatrt {
namespace {

std::string format_float(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string quant_to_string(const QuantParams& q) {
  if (q.per_axis()) return "{s=per-axis(" + std::to_string(q.scales.size()) + ")@" + std::to_string(q.axis) + "}";
  std::string out = "{s=" + format_float(q.scales[0]);
  if (q.zero_points[0] != 0) out += ",z=" + std::to_string(q.zero_points[0]);
  return out + "}";
}

std::string attr_to_string(const AttrValue& attr) {
  std::ostringstream out;
  if (const auto* i = std::get_if<int64_t>(&attr)) {
    out << *i;
  } else if (const auto* f = std::get_if<float>(&attr)) {
    out << format_float(*f);
  } else if (const auto* s = std::get_if<std::string>(&attr)) {
    out << '"' << *s << '"';
  } else if (const auto* ints = std::get_if<std::vector<int64_t>>(&attr)) {
    out << '[';
    for (size_t k = 0; k < ints->size(); ++k) out << (k ? "," : "") << (*ints)[k];
    out << ']';
  } else if (const auto* floats = std::get_if<std::vector<float>>(&attr)) {
    out << '[';
    size_t shown = std::min<size_t>(floats->size(), 4);
    for (size_t k = 0; k < shown; ++k) out << (k ? "," : "") << format_float((*floats)[k]);
    if (floats->size() > shown) out << ",…(" << floats->size() << ")";
    out << ']';
  } else if (const auto* t = std::get_if<Tensor>(&attr)) {
    out << "tensor" << dtype_name(t->dtype()) << shape_to_string(t->shape());
  }
  return out.str();
}

}  // namespace

std::string print_value(const Graph& graph, ValueId id) {
  if (id == kNoValue) return "_";
  const Value& v = graph.value(id);
  std::string out = "%" + v.name + ":" + std::string(dtype_name(v.dtype)) + shape_to_string(v.shape);
  if (v.quant) out += quant_to_string(*v.quant);
  if (v.constant) out += "=const";
  return out;
}

std::string print_graph(const Graph& graph) {
  std::ostringstream out;
  out << "graph " << graph.name << " (" << graph.nodes.size() << " nodes)\n  inputs:";
  for (ValueId id : graph.inputs) out << ' ' << print_value(graph, id);
  out << '\n';
  for (const Node& node : graph.nodes) {
    out << "  ";
    for (size_t i = 0; i < node.outputs.size(); ++i) out << (i ? ", " : "") << print_value(graph, node.outputs[i]);
    out << " = " << op_name(node.op) << "(";
    for (size_t i = 0; i < node.inputs.size(); ++i) out << (i ? ", " : "") << print_value(graph, node.inputs[i]);
    out << ")";
    for (const auto& [key, attr] : node.attrs) out << ' ' << key << '=' << attr_to_string(attr);
    out << "  # " << node.name;
    if (node.precision != Precision::kUnset) out << " [" << precision_name(node.precision) << ": " << node.precision_reason << "]";
    out << '\n';
  }
  out << "  outputs:";
  for (ValueId id : graph.outputs) out << ' ' << print_value(graph, id);
  out << '\n';
  return out.str();
}

}  // namespace qatrt
