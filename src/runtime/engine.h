// Engine: a built graph (from a plan) ready to run; ExecutionContext: one batch size bound, kernels created,
// activations placed in one arena by the memory planner. Usage:
//   QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(plan.graph, {.backend = "cpu", .threads = 2}));
//   QATRT_ASSIGN_OR_RETURN(auto ctx, engine->create_context(/*batch=*/8));
//   QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, ctx->run({input}));
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"

namespace qatrt {

struct EngineOptions {
  std::string backend = "cpu";  // "cpu", "reference" or "cuda" (when built with CUDA)
  int threads = 0;              // 0 = all hardware threads
};

// Which backend runs each node and why (a CPU-backend node that falls back to the reference backend is
// reported, never silent).
struct NodeAssignment {
  std::string node;
  std::string backend;
  std::string reason;  // empty when the preferred backend runs it
};

class ExecutionContext {
 public:
  virtual ~ExecutionContext() = default;
  // Inputs in Graph::inputs order, outputs in Graph::outputs order.
  virtual StatusOr<std::vector<Tensor>> run(const std::vector<Tensor>& inputs) = 0;
  virtual int64_t batch() const = 0;
  virtual size_t arena_bytes() const = 0;  // activations, after the memory planner's reuse
  virtual const std::vector<NodeAssignment>& assignments() const = 0;
};

class Engine {
 public:
  virtual ~Engine() = default;
  static StatusOr<std::unique_ptr<Engine>> create(Graph graph, const EngineOptions& options);
  virtual const Graph& graph() const = 0;
  virtual StatusOr<std::unique_ptr<ExecutionContext>> create_context(int64_t batch) = 0;
};

}  // namespace qatrt
