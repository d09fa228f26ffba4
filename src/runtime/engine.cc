// Engine: holds the graph and its backends; create_context binds the batch, infers concrete shapes and builds
// the schedule (schedule.h) of an ExecutionContext.
#include "runtime/engine.h"

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "ir/shape_inference.h"
#include "ir/verifier.h"
#include "runtime/engine_with_backend.h"
#include "runtime/execution_context.h"

namespace qatrt {
namespace {

class EngineImpl final : public Engine {
 public:
  EngineImpl(Graph graph, std::shared_ptr<Backend> preferred, std::shared_ptr<Backend> reference)
      : graph_(std::move(graph)), preferred_(std::move(preferred)), reference_(std::move(reference)) {}

  const Graph& graph() const override { return graph_; }

  StatusOr<std::unique_ptr<ExecutionContext>> create_context(int64_t batch) override {
    if (batch < 1) return make_error(StatusCode::kInvalidArgument, "batch must be ≥ 1, got ", batch);
    Graph bound = graph_;
    for (ValueId id : bound.inputs)
      for (int64_t& dim : bound.value(id).shape)
        if (dim == kDynamicDim) dim = batch;
    QATRT_RETURN_IF_ERROR(infer_shapes(bound).with_context("binding batch " + std::to_string(batch)));
    for (const Node& node : bound.nodes)
      for (const auto* ids : {&node.inputs, &node.outputs})
        for (ValueId id : *ids)
          if (id != kNoValue && !shape_is_static(bound.value(id).shape))
            return make_error(StatusCode::kUnsupported, node.describe(), ": value '", bound.value(id).name,
                              "' still has shape ", shape_to_string(bound.value(id).shape), " after binding batch ",
                              batch, "; only graph-input dims may be dynamic (the batch)");
    return make_execution_context(std::move(bound), batch, preferred_, reference_);
  }

 private:
  Graph graph_;
  std::shared_ptr<Backend> preferred_, reference_;
};

}  // namespace

StatusOr<std::unique_ptr<Engine>> create_engine_with_backend(Graph graph, std::shared_ptr<Backend> preferred) {
  QATRT_RETURN_IF_ERROR(verify_graph(graph).with_context("Engine::create"));
  std::shared_ptr<Backend> reference = make_reference_backend();
  if (!preferred) preferred = reference;
  return std::unique_ptr<Engine>(std::make_unique<EngineImpl>(std::move(graph), std::move(preferred), std::move(reference)));
}

StatusOr<std::unique_ptr<Engine>> Engine::create(Graph graph, const EngineOptions& options) {
  if (options.backend == "reference") return create_engine_with_backend(std::move(graph), nullptr);
  if (options.backend == "cpu")
    return create_engine_with_backend(std::move(graph), make_cpu_backend(BackendOptions{.threads = options.threads}));
  return make_error(StatusCode::kInvalidArgument, "unknown backend '", options.backend, "'; use cpu or reference");
}

}  // namespace qatrt
