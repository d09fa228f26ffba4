// The CUDA execution context: one batch size, one stream, one device arena (device_schedule.h), weights packed
// and uploaded once when it is made. run() copies the inputs through pinned host buffers, runs the network and
// copies the outputs back (4-D outputs returned NCHW, like every context). The network — every kernel of the
// schedule — is captured into a CUDA graph after the first run, which runs eagerly (conv tiles are timed then),
// and replayed from then on.
//
// Beyond ExecutionContext it offers what a benchmark needs: the network alone on the device over whatever the
// device inputs hold (no host copies), timed with CUDA events, and per-layer times.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"
#include "runtime/engine.h"

namespace qatrt::cuda {

struct LayerTime {
  std::string layer, op;
  double median_ms = 0;
};

class CudaExecutionContext : public ExecutionContext {
 public:
  // Copies `inputs` (as run() takes them) to the device inputs, synchronously.
  virtual Status upload_inputs(const std::vector<Tensor>& inputs) = 0;
  // Enqueues one replay of the network's CUDA graph on the context's stream (capturing it first if needed).
  virtual Status enqueue_network() = 0;
  virtual Status synchronize() = 0;
  // GPU time of each of `iterations` back-to-back replays, in ms, from CUDA events around each.
  virtual StatusOr<std::vector<double>> time_network(int iterations) = 0;
  // Each step launched eagerly between CUDA events; the median over `iterations` runs, in schedule order.
  virtual StatusOr<std::vector<LayerTime>> profile_layers(int iterations) = 0;
  virtual bool uses_cuda_graph() const = 0;
};

// graph: concrete shapes (the batch bound). Needs a CUDA device.
StatusOr<std::unique_ptr<CudaExecutionContext>> make_cuda_execution_context(Graph graph, int64_t batch);

}  // namespace qatrt::cuda
