// The ExecutionContext implementation: one schedule (schedule.h) and its arena, run step by step. Graph
// inputs and constants are read in place (kernels never write their inputs); graph outputs are copied out of
// the arena, reordered to NCHW. A context owns one arena, so one context runs one batch at a time: use one
// context per thread.
#pragma once

#include <memory>
#include <vector>

#include "runtime/engine.h"
#include "runtime/schedule.h"

namespace qatrt {

// graph: the engine's graph with the batch bound and shapes inferred; backends: kept alive for the kernels.
StatusOr<std::unique_ptr<ExecutionContext>> make_execution_context(Graph graph, int64_t batch,
                                                                  std::shared_ptr<Backend> preferred,
                                                                  std::shared_ptr<Backend> reference);

}  // namespace qatrt
