// dequantize_for_fp32 (--fp32 mode): the same model with every layer in float, as the speed baseline.
//
//   (a) activation round trips   x ──► Q(s,z) ──► q ──► DQ(s,z) ──► y   ⇒  x ──► y
//       when every reader of q is a DQ with the Q's parameters (q is not a graph output). This drops the
//       rounding the Q/DQ pair would apply: the fp32 plan computes the float model the Q/DQ model simulates.
//   (b) weights: dequantize_weights (its own pass, shared with --fake-quant).
// Q/DQ pairs with other readers (or mismatched parameters) stay and run as they are.
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

// (a): the DQ nodes to bypass, or empty when the Q does not match.
std::vector<int> round_trip_dqs(const Graph& graph, const GraphIndex& index, const Node& quantize) {
  ValueId q = quantize.outputs[0];
  if (quantize.op != Op::kQuantizeLinear || graph.is_graph_output(q)) return {};
  std::vector<int> dqs;
  for (int r : index.readers(q)) {
    const Node& reader = graph.nodes[static_cast<size_t>(r)];
    if (reader.op != Op::kDequantizeLinear || !(qdq_params(reader) == qdq_params(quantize))) return {};
    dqs.push_back(r);
  }
  return dqs;
}

}  // namespace

Status dequantize_for_fp32(Graph& graph, PassContext& context) {
  QATRT_RETURN_IF_ERROR(dequantize_weights(graph, context));
  GraphIndex index(graph);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    std::vector<int> dqs = round_trip_dqs(graph, index, node);
    if (dqs.empty()) continue;
    int bypassed = 0;
    for (int d : dqs) bypassed += replace_value(graph, graph.nodes[static_cast<size_t>(d)].outputs[0], node.inputs[0]);
    context.log.push_back("dequantize_for_fp32: " + node.describe() + " → DQ round trip removed (" +
                          std::to_string(bypassed) + " of " + std::to_string(dqs.size()) + " readers)");
  }
  graph.remove_dead_nodes();  // the bypassed DQs, and their Q once it has no reader left
  return sort_topologically(graph);
}

}  // namespace qatrt
