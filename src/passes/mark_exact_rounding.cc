// mark_exact_rounding (--exact, last before assign_precision): every node that rounds a value to an integer
// gets "exact_rounding" = 1, the contract of src/ir/ops.h ("Exact rounding"): QConv, QGemm, QuantizeLinear,
// Requantize, and AveragePool / GlobalAveragePool with a quantized output. Data movement on integers (MaxPool,
// Flatten, Reshape, ...) is exact already, and float layers round only to float32, never to an integer.
// A backend that cannot round these nodes exactly refuses them, so an --exact plan never runs in float32.
#include "passes/exact_epilogue.h"
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

}  // namespace

Status mark_exact_rounding(Graph& graph, PassContext& context) {
  int marked = 0;
  for (Node& node : graph.nodes) {
    if (!rounds_to_integer(graph, node)) continue;
    node.attrs[kExactRoundingAttr] = int64_t{1};
    ++marked;
  }
  context.log.push_back("mark_exact_rounding: " + std::to_string(marked) + " nodes round exactly (double precision)");
  return {};
}

}  // namespace qatrt
