// dequantize_for_fp32 (--fp32 mode): the same model with every layer in float, as the speed baseline.
//
//   (a) activation round trips   x ──► Q(s,z) ──► q ──► DQ(s,z) ──► y   ⇒  x ──► y
//       when every reader of q is a DQ with the Q's parameters (q is not a graph output). This drops the
//       rounding the Q/DQ pair would apply: the fp32 plan computes the float model the Q/DQ model simulates.
//   (b) weights                  q (int8 constant) ──► DQ(s,z) ──► w    ⇒  w = (q − z)·s, a float constant
//       computed once at build time with core/quant.h: exactly the float weights the int8 plan multiplies by.
// Q/DQ pairs with other readers (or mismatched parameters) stay and run as they are.
#include "passes/constant_math.h"
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
  GraphIndex index(graph);
  std::vector<int> removed;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (node.op == Op::kDequantizeLinear && graph.is_constant(node.inputs[0])) {
      Value& w = graph.value(node.outputs[0]);
      w.constant = dequantize_tensor(*graph.value(node.inputs[0]).constant, qdq_params(node));
      w.dtype = DType::kFloat32;
      w.quant.reset();
      removed.push_back(static_cast<int>(i));
      context.log.push_back("dequantize_for_fp32: weight '" + graph.value(node.inputs[0]).name +
                            "' dequantized to float constant '" + w.name + "'");
      continue;
    }
    std::vector<int> dqs = round_trip_dqs(graph, index, node);
    if (dqs.empty()) continue;
    int bypassed = 0;
    for (int d : dqs) bypassed += replace_value(graph, graph.nodes[static_cast<size_t>(d)].outputs[0], node.inputs[0]);
    context.log.push_back("dequantize_for_fp32: " + node.describe() + " → DQ round trip removed (" +
                          std::to_string(bypassed) + " of " + std::to_string(dqs.size()) + " readers)");
  }
  graph.erase_nodes(removed);
  graph.remove_dead_nodes();  // the bypassed DQs, and their Q once it has no reader left
  return sort_topologically(graph);
}

}  // namespace qatrt
