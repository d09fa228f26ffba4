#include "runtime/backend_assignment.h"

#include <string>

namespace qatrt {

StatusOr<AssignedNode> assign_node(const Graph& graph, const Node& node, Backend& preferred, Backend& reference) {
  AssignedNode assigned;
  assigned.record.node = node.name;
  Status refusal = preferred.supports(graph, node);
  if (refusal.ok()) {
    auto kernel = preferred.create_kernel(graph, node);
    if (kernel.ok()) {
      assigned.backend = &preferred;
      assigned.kernel = std::move(kernel).value();
      assigned.policy = preferred.layout_policy(graph, node);
      assigned.record.backend = std::string(preferred.name());
      return assigned;
    }
    // supports() said yes but the kernel could not be built: still a fallback, still recorded.
    refusal = kernel.status().with_context("kernel creation failed after supports() accepted the node");
  }
  if (&preferred == &reference) return refusal;

  Status reference_refusal = reference.supports(graph, node);
  if (!reference_refusal.ok())
    return make_error(reference_refusal.code(), node.describe(), ": no backend can run it; ", preferred.name(),
                      ": ", refusal.message(), "; reference: ", reference_refusal.message());
  auto kernel = reference.create_kernel(graph, node);
  if (!kernel.ok()) return kernel.status().with_context(node.describe() + " on the reference backend");
  assigned.backend = &reference;
  assigned.kernel = std::move(kernel).value();
  assigned.policy = reference.layout_policy(graph, node);
  assigned.record.backend = std::string(reference.name());
  assigned.record.reason = std::string(preferred.name()) + " backend: " + refusal.message();
  return assigned;
}

}  // namespace qatrt
