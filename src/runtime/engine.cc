// Engine: holds the graph and its backends; create_context binds the batch, infers concrete shapes and builds
// the schedule (schedule.h) of an ExecutionContext.
#include "runtime/engine.h"

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "ir/verifier.h"
#include "runtime/context_inputs.h"
#include "runtime/engine_with_backend.h"
#include "runtime/execution_context.h"
#ifdef QATRT_HAVE_CUDA
#include "runtime/cuda/cuda_engine.h"
#endif

namespace qatrt {
namespace {

class EngineImpl final : public Engine {
 public:
  EngineImpl(Graph graph, std::shared_ptr<Backend> preferred, std::shared_ptr<Backend> reference)
      : graph_(std::move(graph)), preferred_(std::move(preferred)), reference_(std::move(reference)) {}

  const Graph& graph() const override { return graph_; }

  StatusOr<std::unique_ptr<ExecutionContext>> create_context(int64_t batch) override {
    QATRT_ASSIGN_OR_RETURN(Graph bound, bind_batch_size(graph_, batch));
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
  if (options.backend == "cuda") {
#ifdef QATRT_HAVE_CUDA
    return cuda::make_cuda_engine(std::move(graph));
#else
    return make_error(StatusCode::kUnsupported, "backend 'cuda': this qatrt was built without CUDA (no nvcc when "
                      "CMake ran, or QATRT_CUDA=OFF); use cpu or reference");
#endif
  }
  return make_error(StatusCode::kInvalidArgument, "unknown backend '", options.backend, "'; use cpu, cuda or reference");
}

}  // namespace qatrt
