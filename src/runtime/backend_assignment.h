// Backend assignment of one node (GUIDE §3.5): the preferred backend runs it if it supports() it and can
// create its kernel; otherwise the reference backend does, and the preferred backend's refusal is recorded as
// the reason. A node neither can run is an error naming both refusals.
#pragma once

#include <memory>

#include "backends/backend.h"
#include "core/status.h"
#include "ir/graph.h"
#include "runtime/engine.h"

namespace qatrt {

struct AssignedNode {
  Backend* backend = nullptr;
  std::unique_ptr<Kernel> kernel;
  LayoutPolicy policy = LayoutPolicy::kNchw;
  NodeAssignment record;
};

StatusOr<AssignedNode> assign_node(const Graph& graph, const Node& node, Backend& preferred, Backend& reference);

}  // namespace qatrt
