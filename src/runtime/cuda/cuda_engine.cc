#include "runtime/cuda/cuda_engine.h"

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/device.h"
#include "ir/verifier.h"
#include "runtime/context_inputs.h"
#include "runtime/cuda/cuda_execution_context.h"
#include "runtime/cuda/device_schedule.h"

namespace qatrt::cuda {
namespace {

class CudaEngine final : public Engine {
 public:
  explicit CudaEngine(Graph graph) : graph_(std::move(graph)) {}

  const Graph& graph() const override { return graph_; }

  StatusOr<std::unique_ptr<ExecutionContext>> create_context(int64_t batch) override {
    QATRT_ASSIGN_OR_RETURN(Graph bound, bind_batch_size(graph_, batch));
    QATRT_ASSIGN_OR_RETURN(auto context, make_cuda_execution_context(std::move(bound), batch));
    return std::unique_ptr<ExecutionContext>(std::move(context));
  }

 private:
  Graph graph_;
};

}  // namespace

StatusOr<std::unique_ptr<Engine>> make_cuda_engine(Graph graph) {
  QATRT_RETURN_IF_ERROR(verify_graph(graph).with_context("Engine::create"));
  // Refuse up front, at batch 1, rather than at the first context: the support checks need concrete shapes.
  QATRT_ASSIGN_OR_RETURN(Graph bound, bind_batch_size(graph, 1));
  std::unique_ptr<Backend> checker = make_cuda_backend(nullptr);
  if (std::string refused = unsupported_nodes(bound, *checker); !refused.empty())
    return make_error(StatusCode::kUnsupported, "backend 'cuda' cannot run these nodes (no host fallback on the "
                      "GPU path; use the cpu backend for this plan):\n", refused);
  const DeviceInfo device = query_devices();
  if (device.count == 0)
    return make_error(StatusCode::kUnsupported, "backend 'cuda': no usable CUDA device (", device.error,
                      "); use the cpu backend");
  return std::unique_ptr<Engine>(std::make_unique<CudaEngine>(std::move(graph)));
}

}  // namespace qatrt::cuda
