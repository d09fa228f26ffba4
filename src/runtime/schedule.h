// The schedule of an execution context: what runs, in which order, on which buffers. Built once per batch
// size from the graph with concrete shapes:
//   1. backend assignment: each node goes to the preferred backend if it supports() it, else to the reference
//      backend with the refusal recorded as the reason (never silent);
//   2. layouts: every 4-D value has a physical layout (LayoutPolicy of its producer; graph inputs NCHW); where a
//      kernel needs the other layout a reorder step writes a copy into a scratch buffer (constants read by
//      kAny kernels are reordered once, here);
//   3. memory: every buffer a step writes is placed in one arena by the memory planner.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "core/status.h"
#include "ir/graph.h"
#include "runtime/engine.h"

namespace qatrt {

struct ScheduledBuffer {
  enum class Storage { kArena, kConstant, kGraphInput };
  Storage storage = Storage::kArena;
  ValueId value = kNoValue;
  DType dtype = DType::kFloat32;
  Shape shape;
  Layout layout = Layout::kNchw;
  size_t offset = 0;  // kArena
  Tensor constant;    // kConstant: the graph's tensor, or a reordered copy
  int graph_input = -1;  // kGraphInput: index in Graph::inputs

  size_t nbytes() const { return static_cast<size_t>(shape_numel(shape)) * dtype_size(dtype); }
};

struct ScheduledStep {
  std::unique_ptr<Kernel> kernel;  // null: a layout reorder from inputs[0] to outputs[0]
  std::vector<int> inputs;         // buffer indices; -1 for an absent optional input
  std::vector<int> outputs;
  std::string what;                // "node 'conv1' (Conv) on cpu" / "reorder of 'x' to NHWC", for errors
};

struct Schedule {
  std::vector<ScheduledBuffer> buffers;
  std::vector<ScheduledStep> steps;
  std::vector<int> output_buffers;  // per Graph::outputs
  size_t arena_bytes = 0;
  std::vector<NodeAssignment> assignments;  // per node, in node order
};

// graph: concrete shapes. preferred may be the reference backend itself.
StatusOr<Schedule> build_schedule(const Graph& graph, Backend& preferred, Backend& reference);

}  // namespace qatrt
