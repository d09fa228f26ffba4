#include "runtime/cuda/device_schedule.h"

#include <algorithm>
#include <map>

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/device_layout.h"
#include "backends/cuda/node_kernels.h"
#include "runtime/memory_planner.h"

namespace qatrt::cuda {
namespace {

// Operands a kernel takes from the graph at creation (the weight and bias of QConv, QGemm, FusedConv and
// FusedGemm) or that a view ignores (Reshape's shape): their run-time views are empty.
bool read_at_creation(const Node& node, size_t input) {
  if (is_view_op(node.op)) return input > 0;
  const bool layer = node.op == Op::kQConv || node.op == Op::kQGemm || node.op == Op::kFusedConv ||
                     node.op == Op::kFusedGemm;
  return layer && (input == 1 || input == 2);
}

class Builder {
 public:
  Builder(const Graph& graph, Backend& cuda) : graph_(graph), cuda_(cuda) {}

  StatusOr<DeviceSchedule> build() {
    if (std::string refused = unsupported_nodes(graph_, cuda_); !refused.empty())
      return make_error(StatusCode::kUnsupported, "the CUDA backend cannot run these nodes (there is no host "
                        "fallback on the GPU path; use the cpu backend for this plan):\n", refused);
    for (ValueId id : graph_.inputs) {
      const Value& v = graph_.value(id);
      schedule_.input_values.push_back(add_value(id, v.shape.size() == 4 ? Layout::kNchw : Layout::kNhwc));
    }
    for (const Node& node : graph_.nodes) QATRT_RETURN_IF_ERROR(schedule_node(node));
    for (ValueId id : graph_.outputs) {
      auto it = home_.find(id);
      if (it == home_.end())
        return make_error(StatusCode::kUnsupported, "graph output '", graph_.value(id).name,
                          "' is produced by no node (a constant output is not supported on the GPU)");
      schedule_.output_values.push_back(it->second);
    }
    place_in_arena();
    return std::move(schedule_);
  }

 private:
  int add_value(ValueId id, Layout layout, int alias_of = -1) {
    const Value& v = graph_.value(id);
    DeviceValue d{.value = id, .dtype = v.dtype, .shape = v.shape, .layout = v.shape.size() == 4 ? layout : Layout::kNhwc};
    d.bytes = device_bytes(d.dtype, d.shape, d.layout);
    d.alias_of = alias_of;
    schedule_.values.push_back(d);
    const int index = static_cast<int>(schedule_.values.size() - 1);
    if (!home_.count(id)) home_[id] = index;
    return index;
  }

  int root(int index) const {
    const int alias = schedule_.values[index].alias_of;
    return alias >= 0 ? alias : index;
  }

  // The value as a kernel of `node` reads it: NHWC, through a reorder step made once for an NCHW graph input.
  StatusOr<int> input_for(const Node& node, ValueId id) {
    auto it = home_.find(id);
    if (it == home_.end())
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": input '", graph_.value(id).name,
                        "' is read before any node produces it and is not a graph input");
    const int home = it->second;
    const DeviceValue& v = schedule_.values[home];
    if (v.layout == Layout::kNhwc || node.op == Op::kQuantizeLinear || is_view_op(node.op)) return home;
    if (auto copy = nhwc_copy_.find(home); copy != nhwc_copy_.end()) return copy->second;
    if (v.dtype != DType::kFloat32 && dtype_size(v.dtype) != 1)
      return make_error(StatusCode::kUnsupported, node.describe(), ": graph input '", graph_.value(id).name,
                        "' of type ", dtype_name(v.dtype), " cannot be reordered to NHWC on the GPU");
    const int copy = static_cast<int>(schedule_.values.size());
    schedule_.values.push_back(v);
    DeviceValue& c = schedule_.values.back();
    c.layout = Layout::kNhwc;
    c.bytes = device_bytes(c.dtype, c.shape, c.layout);
    DeviceStep step{.inputs = {home}, .outputs = {copy}, .layer = "reorder of '" + graph_.value(id).name + "' to NHWC",
                    .op = "Reorder"};
    schedule_.steps.push_back(std::move(step));
    nhwc_copy_[home] = copy;
    return copy;
  }

  Status schedule_node(const Node& node) {
    DeviceStep step{.layer = node.name, .op = std::string(op_name(node.op))};
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      const ValueId id = node.inputs[i];
      if (id == kNoValue || read_at_creation(node, i)) {
        step.inputs.push_back(-1);
        continue;
      }
      if (graph_.is_constant(id))
        return make_error(StatusCode::kUnsupported, node.describe(), ": input '", graph_.value(id).name,
                          "' is a constant; the GPU kernels read activations only (fold constants when building)");
      QATRT_ASSIGN_OR_RETURN(int index, input_for(node, id));
      step.inputs.push_back(index);
    }
    for (ValueId id : node.outputs) {
      if (id != kNoValue && home_.count(id))
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": output '", graph_.value(id).name,
                          "' already has a producer or is a graph input (the graph is not SSA)");
    }
    if (is_view_op(node.op)) {
      add_value(node.outputs[0], Layout::kNhwc, root(step.inputs[0]));
      return {};
    }
    for (ValueId id : node.outputs) step.outputs.push_back(id == kNoValue ? -1 : add_value(id, Layout::kNhwc));
    QATRT_ASSIGN_OR_RETURN(step.kernel, cuda_.create_kernel(graph_, node));
    if (auto* user = dynamic_cast<KernelWithWorkspace*>(step.kernel.get()); user && user->workspace_bytes() > 0) {
      schedule_.values.push_back({.bytes = user->workspace_bytes()});
      step.workspace = static_cast<int>(schedule_.values.size() - 1);
    }
    schedule_.steps.push_back(std::move(step));
    return {};
  }

  // Lifetimes over the step order (graph inputs from before the first step, graph outputs past the last),
  // views extending their root's, then one arena.
  void place_in_arena() {
    const int end = static_cast<int>(schedule_.steps.size());
    std::vector<int> roots;
    std::map<int, size_t> slot;
    auto add_root = [&](int index, int first) {
      slot[index] = roots.size();
      roots.push_back(index);
      lifetimes_.push_back({schedule_.values[index].bytes, first, first});
    };
    for (int index : schedule_.input_values) add_root(index, 0);
    for (int s = 0; s < end; ++s) {
      for (int index : schedule_.steps[s].outputs)
        if (index >= 0) add_root(index, s);
      if (schedule_.steps[s].workspace >= 0) add_root(schedule_.steps[s].workspace, s);
    }
    auto use = [&](int index, int step) {
      BufferLifetime& life = lifetimes_[slot.at(root(index))];
      life.last_step = std::max(life.last_step, step);
    };
    for (int s = 0; s < end; ++s)
      for (int index : schedule_.steps[s].inputs)
        if (index >= 0) use(index, s);
    for (int index : schedule_.output_values) use(index, end);
    const MemoryPlan plan = plan_memory(lifetimes_);
    for (size_t i = 0; i < roots.size(); ++i) schedule_.values[roots[i]].offset = plan.offsets[i];
    for (DeviceValue& v : schedule_.values)
      if (v.alias_of >= 0) v.offset = schedule_.values[v.alias_of].offset;
    schedule_.arena_bytes = plan.arena_bytes;
  }

  const Graph& graph_;
  Backend& cuda_;
  DeviceSchedule schedule_;
  std::map<ValueId, int> home_;       // the buffer a value was first given
  std::map<int, int> nhwc_copy_;      // NCHW graph input → its NHWC copy
  std::vector<BufferLifetime> lifetimes_;
};

}  // namespace

std::string unsupported_nodes(const Graph& graph, const Backend& cuda) {
  std::string refused;
  for (const Node& node : graph.nodes)
    if (Status s = cuda.supports(graph, node); !s.ok()) refused += "  " + s.message() + "\n";
  return refused;
}

StatusOr<DeviceSchedule> build_device_schedule(const Graph& graph, Backend& cuda) { return Builder(graph, cuda).build(); }

}  // namespace qatrt::cuda
