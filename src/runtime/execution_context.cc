#include "runtime/execution_context.h"

#include <cstdint>
#include <cstring>

#include "runtime/context_inputs.h"
#include "runtime/layout_reorder.h"
#include "runtime/memory_planner.h"

namespace qatrt {
namespace {

class Context final : public ExecutionContext {
 public:
  Context(Graph graph, int64_t batch, std::shared_ptr<Backend> preferred, std::shared_ptr<Backend> reference)
      : graph_(std::move(graph)), batch_(batch), preferred_(std::move(preferred)), reference_(std::move(reference)) {}

  // Kernels are created against graph_ itself, which the context owns for as long as they live.
  Status init() {
    QATRT_ASSIGN_OR_RETURN(schedule_, build_schedule(graph_, *preferred_, *reference_));
    storage_.resize(schedule_.arena_bytes + kArenaAlignment);
    // std::vector gives no alignment guarantee beyond the element type's: align the arena base by hand.
    auto base = reinterpret_cast<uintptr_t>(storage_.data());
    arena_ = storage_.data() + (kArenaAlignment - base % kArenaAlignment) % kArenaAlignment;
    return {};
  }

  StatusOr<std::vector<Tensor>> run(const std::vector<Tensor>& inputs) override {
    QATRT_RETURN_IF_ERROR(validate_context_inputs(graph_, batch_, inputs));
    std::vector<TensorView> in_views, out_views;
    for (ScheduledStep& step : schedule_.steps) {
      in_views.clear();
      out_views.clear();
      for (int b : step.inputs) in_views.push_back(view(b, inputs));
      for (int b : step.outputs) out_views.push_back(view(b, inputs));
      if (!step.kernel) {
        reorder_layout(in_views[0], out_views[0]);
        continue;
      }
      Status status = step.kernel->run(in_views, out_views);
      if (!status.ok()) return status.with_context("while running " + step.what);
    }
    std::vector<Tensor> outputs;
    for (int b : schedule_.output_buffers) {
      const ScheduledBuffer& buffer = schedule_.buffers[b];
      Tensor out(buffer.dtype, buffer.shape);
      // Graph outputs are returned NCHW whatever layout their producer wrote.
      reorder_layout(view(b, inputs), TensorView{.dtype = out.dtype(), .shape = out.shape(), .data = out.raw()});
      outputs.push_back(std::move(out));
    }
    return outputs;
  }

  int64_t batch() const override { return batch_; }
  size_t arena_bytes() const override { return schedule_.arena_bytes; }
  const std::vector<NodeAssignment>& assignments() const override { return schedule_.assignments; }

 private:
  TensorView view(int b, const std::vector<Tensor>& inputs) const {
    if (b < 0) return {};
    const ScheduledBuffer& buffer = schedule_.buffers[b];
    TensorView v{.dtype = buffer.dtype, .shape = buffer.shape, .layout = buffer.layout};
    switch (buffer.storage) {
      case ScheduledBuffer::Storage::kArena: v.data = arena_ + buffer.offset; break;
      // Kernels only read their inputs, so constants and the caller's tensors are not copied.
      case ScheduledBuffer::Storage::kConstant: v.data = const_cast<void*>(buffer.constant.raw()); break;
      case ScheduledBuffer::Storage::kGraphInput: v.data = const_cast<void*>(inputs[buffer.graph_input].raw()); break;
    }
    return v;
  }

  Graph graph_;
  int64_t batch_;
  std::shared_ptr<Backend> preferred_, reference_;
  Schedule schedule_;
  std::vector<uint8_t> storage_;
  uint8_t* arena_ = nullptr;
};

}  // namespace

StatusOr<std::unique_ptr<ExecutionContext>> make_execution_context(Graph graph, int64_t batch,
                                                                  std::shared_ptr<Backend> preferred,
                                                                  std::shared_ptr<Backend> reference) {
  auto context = std::make_unique<Context>(std::move(graph), batch, std::move(preferred), std::move(reference));
  QATRT_RETURN_IF_ERROR(context->init());
  return std::unique_ptr<ExecutionContext>(std::move(context));
}

}  // namespace qatrt
