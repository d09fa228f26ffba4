// dequantize_weights (--fp32 and --fake-quant modes): constant weights become the float values they stand for.
//
//   q (int8 constant) ──► DQ(s,z) ──► w    ⇒    w = (q − z)·s, a float constant
//
// computed once at build time with core/quant.h: exactly the float weights the int8 plan multiplies by, so
// the float plans differ from the int8 plan only in what they do with activations.
#include "passes/constant_math.h"
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {

Status dequantize_weights(Graph& graph, PassContext& context) {
  std::vector<int> removed;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (node.op != Op::kDequantizeLinear || !graph.is_constant(node.inputs[0])) continue;
    Value& w = graph.value(node.outputs[0]);
    w.constant = dequantize_tensor(*graph.value(node.inputs[0]).constant, qdq_params(node));
    w.dtype = DType::kFloat32;
    w.quant.reset();
    removed.push_back(static_cast<int>(i));
    context.log.push_back("dequantize_weights: weight '" + graph.value(node.inputs[0]).name +
                          "' dequantized to float constant '" + w.name + "'");
  }
  graph.erase_nodes(removed);
  graph.remove_dead_nodes();  // the int8 constants' producers, if any
  return sort_topologically(graph);
}

}  // namespace qatrt
