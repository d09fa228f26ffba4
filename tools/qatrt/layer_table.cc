#include "layer_table.h"

#include <algorithm>
#include <map>
#include <string>

namespace qatrt::cli {
namespace {

std::string output_text(const Graph& graph, const Node& node) {
  if (node.outputs.empty()) return "-";
  const Value& v = graph.value(node.outputs[0]);
  return std::string(dtype_name(v.dtype)) + shape_to_string(v.shape);
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ",") + n;
  return out.empty() ? "-" : out;
}

}  // namespace

void print_layer_table(std::FILE* out, const Graph& graph) {
  struct Row {
    std::string index, name, op, precision, output, reason, fused;
  };
  // Fused-from lists can be long: they come last so they never push the reason off screen.
  std::vector<Row> rows = {{"#", "layer", "op", "precision", "output", "reason", "fused from"}};
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& n = graph.nodes[i];
    rows.push_back({std::to_string(i), n.name, std::string(op_name(n.op)), std::string(precision_name(n.precision)),
                    output_text(graph, n), n.precision_reason.empty() ? "-" : n.precision_reason, joined(n.fused_from)});
  }
  size_t w[6] = {};
  for (const Row& r : rows) {
    const std::string* cells[6] = {&r.index, &r.name, &r.op, &r.precision, &r.output, &r.reason};
    for (int c = 0; c < 6; ++c) w[c] = std::max(w[c], cells[c]->size());
  }
  for (const Row& r : rows)
    std::fprintf(out, "  %*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", static_cast<int>(w[0]), r.index.c_str(),
                 static_cast<int>(w[1]), r.name.c_str(), static_cast<int>(w[2]), r.op.c_str(), static_cast<int>(w[3]),
                 r.precision.c_str(), static_cast<int>(w[4]), r.output.c_str(), static_cast<int>(w[5]), r.reason.c_str(),
                 r.fused.c_str());
}

std::string layer_summary(const Graph& graph) {
  std::map<std::string, int> by_precision;
  size_t fused = 0, sources = 0;
  for (const Node& n : graph.nodes) {
    ++by_precision[std::string(precision_name(n.precision))];
    if (!n.fused_from.empty()) {
      ++fused;
      sources += n.fused_from.size();
    }
  }
  std::string counts;
  for (const auto& [precision, count] : by_precision)
    counts += (counts.empty() ? "" : ", ") + std::to_string(count) + " " + precision;
  return std::to_string(graph.nodes.size()) + " layers: " + counts + "; " + std::to_string(fused) + " fused from " +
         std::to_string(sources) + " source nodes";
}

void print_fallbacks(std::FILE* out, const std::vector<NodeAssignment>& assignments, const std::string& backend) {
  size_t fallbacks = 0;
  for (const NodeAssignment& a : assignments)
    if (a.backend != backend) ++fallbacks;
  if (fallbacks == 0) {
    std::fprintf(out, "backend: every layer runs on '%s'\n", backend.c_str());
    return;
  }
  std::fprintf(out, "backend: %zu of %zu layers fall back from '%s':\n", fallbacks, assignments.size(), backend.c_str());
  for (const NodeAssignment& a : assignments)
    if (a.backend != backend)
      std::fprintf(out, "  %s → %s: %s\n", a.node.c_str(), a.backend.c_str(), a.reason.empty() ? "-" : a.reason.c_str());
}

}  // namespace qatrt::cli
