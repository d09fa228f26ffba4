// remove_dead_code: drops nodes whose outputs nobody reads (repeatedly) and the values no node or graph
// input/output references, renumbering value ids (Graph::compact). Rewrites leave such leftovers behind:
// a DQ whose only reader was fused, an original constant replaced by a private copy.
#include "passes/passes.h"

namespace qatrt {

Status remove_dead_code(Graph& graph, PassContext& context) {
  size_t before_nodes = graph.nodes.size(), before_values = graph.values.size();
  graph.remove_dead_nodes();
  graph.compact();
  context.log.push_back("remove_dead_code: " + std::to_string(before_nodes - graph.nodes.size()) + " nodes, " +
                        std::to_string(before_values - graph.values.size()) + " values dropped");
  return {};
}

}  // namespace qatrt
