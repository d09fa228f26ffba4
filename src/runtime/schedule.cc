#include "runtime/schedule.h"

#include <map>
#include <utility>

#include "runtime/backend_assignment.h"
#include "runtime/layout_reorder.h"
#include "runtime/memory_planner.h"

namespace qatrt {
namespace {

const char* layout_name(Layout layout) { return layout == Layout::kNhwc ? "NHWC" : "NCHW"; }

// Only 4-D buffers have a layout; everything else is plain row-major (recorded as kNchw).
Layout layout_for(const Shape& shape, Layout wanted) { return shape.size() == 4 ? wanted : Layout::kNchw; }

class ScheduleBuilder {
 public:
  ScheduleBuilder(const Graph& graph, Backend& preferred, Backend& reference)
      : graph_(graph), preferred_(preferred), reference_(reference) {}

  StatusOr<Schedule> build() {
    for (size_t i = 0; i < graph_.inputs.size(); ++i) {
      ScheduledBuffer b = buffer_for(graph_.inputs[i], Layout::kNchw);
      b.storage = ScheduledBuffer::Storage::kGraphInput;
      b.graph_input = static_cast<int>(i);
      add_buffer(std::move(b));
    }
    for (const Node& node : graph_.nodes) QATRT_RETURN_IF_ERROR(schedule_node(node));
    for (ValueId id : graph_.outputs) {
      QATRT_ASSIGN_OR_RETURN(int b, home_buffer(id, "graph output"));
      schedule_.output_buffers.push_back(b);
    }
    place_in_arena();
    return std::move(schedule_);
  }

 private:
  ScheduledBuffer buffer_for(ValueId id, Layout layout) const {
    const Value& v = graph_.value(id);
    ScheduledBuffer b;
    b.value = id;
    b.dtype = v.dtype;
    b.shape = v.shape;
    b.layout = layout_for(v.shape, layout);
    return b;
  }

  int add_buffer(ScheduledBuffer buffer) {
    const auto key = std::make_pair(buffer.value, buffer.layout);
    schedule_.buffers.push_back(std::move(buffer));
    const int index = static_cast<int>(schedule_.buffers.size() - 1);
    if (!by_value_.count(key.first)) by_value_[key.first] = index;  // the first buffer of a value is its home
    by_value_layout_[key] = index;
    return index;
  }

  // The buffer a value was first given: graph input, constant (created on first use) or a step's output.
  StatusOr<int> home_buffer(ValueId id, const char* role) {
    if (auto it = by_value_.find(id); it != by_value_.end()) return it->second;
    const Value& v = graph_.value(id);
    if (!v.constant)
      return make_error(StatusCode::kInvalidArgument, role, " '", v.name,
                        "' is read before any node produces it and is neither a graph input nor a constant");
    ScheduledBuffer b = buffer_for(id, Layout::kNchw);
    b.storage = ScheduledBuffer::Storage::kConstant;
    b.constant = *v.constant;
    return add_buffer(std::move(b));
  }

  // The value in `layout`: its home buffer if that matches, else a copy made once (constants here, activations
  // by a reorder step scheduled before the first step that needs it).
  StatusOr<int> buffer_in_layout(ValueId id, Layout layout) {
    QATRT_ASSIGN_OR_RETURN(int home, home_buffer(id, "input"));
    layout = layout_for(graph_.value(id).shape, layout);
    if (schedule_.buffers[home].layout == layout) return home;
    if (auto it = by_value_layout_.find({id, layout}); it != by_value_layout_.end()) return it->second;
    ScheduledBuffer copy = buffer_for(id, layout);
    if (schedule_.buffers[home].storage == ScheduledBuffer::Storage::kConstant) {
      copy.storage = ScheduledBuffer::Storage::kConstant;
      copy.constant = reordered_constant(schedule_.buffers[home].constant, layout);
      return add_buffer(std::move(copy));
    }
    const int index = add_buffer(std::move(copy));
    ScheduledStep reorder;
    reorder.inputs = {home};
    reorder.outputs = {index};
    reorder.what = "reorder of '" + graph_.value(id).name + "' to " + layout_name(layout);
    schedule_.steps.push_back(std::move(reorder));
    return index;
  }

  Status schedule_node(const Node& node) {
    QATRT_ASSIGN_OR_RETURN(AssignedNode assigned, assign_node(graph_, node, preferred_, reference_));
    schedule_.assignments.push_back(assigned.record);

    // A kAny kernel works in the layout of its first 4-D activation input (NCHW if it has none).
    Layout any_layout = Layout::kNchw;
    for (ValueId id : node.inputs) {
      if (id == kNoValue || graph_.is_constant(id) || graph_.value(id).shape.size() != 4) continue;
      QATRT_ASSIGN_OR_RETURN(int home, home_buffer(id, "input"));
      any_layout = schedule_.buffers[home].layout;
      break;
    }
    const Layout node_layout = assigned.policy == LayoutPolicy::kNhwc   ? Layout::kNhwc
                               : assigned.policy == LayoutPolicy::kNchw ? Layout::kNchw
                                                                        : any_layout;

    ScheduledStep step;
    for (ValueId id : node.inputs) {
      if (id == kNoValue) {
        step.inputs.push_back(-1);
        continue;
      }
      // Layout-sensitive kernels read constants (weights, shapes) in the IR layout; a kAny kernel pairs its
      // operands element by element, so a 4-D constant must be stored like the activations.
      if (graph_.is_constant(id) && assigned.policy != LayoutPolicy::kAny) {
        QATRT_ASSIGN_OR_RETURN(int b, home_buffer(id, "input"));
        step.inputs.push_back(b);
        continue;
      }
      QATRT_ASSIGN_OR_RETURN(int b, buffer_in_layout(id, node_layout));
      step.inputs.push_back(b);
    }
    for (ValueId id : node.outputs) {
      if (id == kNoValue) {
        step.outputs.push_back(-1);
        continue;
      }
      if (by_value_.count(id))
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": output '", graph_.value(id).name,
                          "' already has a producer or is a graph input (the graph is not SSA)");
      step.outputs.push_back(add_buffer(buffer_for(id, node_layout)));
    }
    step.kernel = std::move(assigned.kernel);
    step.what = node.describe() + " on " + assigned.record.backend;
    schedule_.steps.push_back(std::move(step));
    return {};
  }

  // Liveness of every arena buffer over the step order, then one arena for all of them.
  void place_in_arena() {
    const int end = static_cast<int>(schedule_.steps.size());
    std::vector<int> arena_buffers;
    std::vector<BufferLifetime> lifetimes;
    std::map<int, size_t> slot;  // buffer index → index in lifetimes
    for (int s = 0; s < end; ++s)
      for (int b : schedule_.steps[s].outputs)
        if (b >= 0 && schedule_.buffers[b].storage == ScheduledBuffer::Storage::kArena) {
          slot[b] = lifetimes.size();
          arena_buffers.push_back(b);
          lifetimes.push_back({schedule_.buffers[b].nbytes(), s, s});
        }
    for (int s = 0; s < end; ++s)
      for (int b : schedule_.steps[s].inputs)
        if (auto it = slot.find(b); it != slot.end()) lifetimes[it->second].last_step = s;
    // Graph outputs are copied out after the last step.
    for (int b : schedule_.output_buffers)
      if (auto it = slot.find(b); it != slot.end()) lifetimes[it->second].last_step = end;
    MemoryPlan plan = plan_memory(lifetimes);
    for (size_t i = 0; i < arena_buffers.size(); ++i) schedule_.buffers[arena_buffers[i]].offset = plan.offsets[i];
    schedule_.arena_bytes = plan.arena_bytes;
  }

  const Graph& graph_;
  Backend& preferred_;
  Backend& reference_;
  Schedule schedule_;
  std::map<ValueId, int> by_value_;                           // home buffer
  std::map<std::pair<ValueId, Layout>, int> by_value_layout_;  // every buffer, by layout
};

}  // namespace

StatusOr<Schedule> build_schedule(const Graph& graph, Backend& preferred, Backend& reference) {
  return ScheduleBuilder(graph, preferred, reference).build();
}

}  // namespace qatrt
