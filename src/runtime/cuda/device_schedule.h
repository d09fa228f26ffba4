// The schedule of a CUDA execution context: the nodes' kernels in order, and every device buffer placed in
// ONE device arena by the memory planner (runtime/memory_planner.h). Built once per batch size from the graph
// with concrete shapes and the CUDA backend (backends/cuda/cuda_backend.h):
//   1. every node must be supported — otherwise one error lists every refused node with its reason (no host
//      fallback: a network split between devices needs explicit copies, which this context does not make);
//   2. layouts (backends/cuda/device_layout.h): graph inputs arrive NCHW; a 4-D graph input read by a kernel
//      other than QuantizeLinear (which reads NCHW itself) gets an NCHW → NHWC step; view ops alias their
//      input's bytes;
//   3. memory: graph inputs, every buffer a step writes and kernels' workspaces live in the arena, reused
//      between buffers whose lifetimes do not overlap; graph outputs stay live to the end.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::cuda {

struct DeviceValue {
  ValueId value = kNoValue;
  DType dtype = DType::kFloat32;
  Shape shape;                   // logical NCHW shape
  Layout layout = Layout::kNhwc;  // 4-D only; kNchw for a graph input as given
  size_t bytes = 0;              // device_bytes()
  int alias_of = -1;             // a view: the buffer whose bytes it shares (never itself an alias)
  size_t offset = 0;             // in the arena (the root's offset for an alias)
};

struct DeviceStep {
  std::unique_ptr<Kernel> kernel;  // null: NCHW → NHWC copy of inputs[0] into outputs[0]
  std::vector<int> inputs;         // DeviceValue indices; -1: absent or constant (an empty view)
  std::vector<int> outputs;
  int workspace = -1;              // a DeviceValue (value kNoValue) for a KernelWithWorkspace, live this step only
  std::string layer;               // the node's name, or "reorder of 'x' to NHWC"
  std::string op;                  // the op's name, or "Reorder"
};

struct DeviceSchedule {
  std::vector<DeviceValue> values;
  std::vector<DeviceStep> steps;
  std::vector<int> input_values;   // per Graph::inputs
  std::vector<int> output_values;  // per Graph::outputs
  size_t arena_bytes = 0;
};

StatusOr<DeviceSchedule> build_device_schedule(const Graph& graph, Backend& cuda);

// Every node the CUDA backend refuses, one line each ("  node 'x' (Op): why"); empty when it takes them all.
std::string unsupported_nodes(const Graph& graph, const Backend& cuda);

}  // namespace qatrt::cuda
