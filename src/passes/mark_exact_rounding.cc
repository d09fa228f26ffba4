// mark_exact_rounding (--exact, last before assign_precision): every node that rounds a value to an integer
// gets "exact_rounding" = 1, the contract of src/ir/ops.h ("Exact rounding"): QConv, QGemm, QuantizeLinear,
// Requantize, and AveragePool / GlobalAveragePool with a quantized output. Data movement on integers (MaxPool,
// Flatten, Reshape, ...) is exact already, and float layers round only to float32, never to an integer.
// A backend that cannot round these nodes exactly refuses them, so an --exact plan never runs in float32.
// What exact rounding cannot undo: a Q whose input a float layer computed (a float32 value, already rounded) is
// exact from that value on only. The pass logs each such node; in ResNet-50 it is the classifier's input
// (GlobalAveragePool of the last block's float output).
#include "passes/exact_epilogue.h"
#include "passes/graph_index.h"
#include "passes/passes.h"

namespace qatrt {
namespace {

bool rounds_to_integer(const Graph& graph, const Node& node) {
  switch (node.op) {
    case Op::kQConv:
    case Op::kQGemm:
    case Op::kQuantizeLinear:
    case Op::kRequantize: return true;
    case Op::kAveragePool:
    case Op::kGlobalAveragePool: return is_quantized_type(graph.value(node.outputs[0]).dtype);
    default: return false;
  }
}

// The float layer that computed the float32 input of a rounding node, or nullptr (a graph input, an integer
// input, or data movement of either).
const Node* float_producer(const Graph& graph, const GraphIndex& index, const Node& node) {
  ValueId input = node.inputs[0];
  while (graph.value(input).dtype == DType::kFloat32) {
    const int p = index.producer(input);
    if (p < 0) return nullptr;
    const Node& producer = graph.nodes[static_cast<size_t>(p)];
    if (!is_pure_reshape(producer.op) && !is_data_movement(producer.op)) return &producer;
    input = producer.inputs[0];
  }
  return nullptr;
}

}  // namespace

Status mark_exact_rounding(Graph& graph, PassContext& context) {
  GraphIndex index(graph);
  int marked = 0;
  for (Node& node : graph.nodes) {
    if (!rounds_to_integer(graph, node)) continue;
    node.attrs[kExactRoundingAttr] = int64_t{1};
    ++marked;
    if (const Node* producer = float_producer(graph, index, node))
      context.log.push_back("mark_exact_rounding: " + node.describe() + " rounds a float32 value computed by " +
                            producer->describe() + ": exact from that float32 value on");
  }
  context.log.push_back("mark_exact_rounding: " + std::to_string(marked) + " nodes round exactly (double precision)");
  return {};
}

}  // namespace qatrt
