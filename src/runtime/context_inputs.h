// What every execution context does with a batch size and the caller's inputs, whichever device it runs on:
// bind the batch into the graph (shapes inferred, only graph-input dims may be dynamic) and check the inputs
// against the bound graph.
#pragma once

#include <cstdint>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"

namespace qatrt {

// A copy of `graph` with every dynamic graph-input dim set to `batch` and all shapes inferred and static.
StatusOr<Graph> bind_batch_size(const Graph& graph, int64_t batch);

// inputs follow bound.inputs: count, dtype, shape (the context's batch) and storage are checked.
Status validate_context_inputs(const Graph& bound, int64_t batch, const std::vector<Tensor>& inputs);

}  // namespace qatrt
