#include "runtime/cuda/cuda_execution_context.h"

#include <algorithm>
#include <cstring>

#include <cuda_runtime.h>

#include "backends/cuda/cuda_backend.h"
#include "backends/cuda/device_layout.h"
#include "backends/cuda/device_memory.h"
#include "backends/cuda/layout_transpose.h"
#include "backends/cuda/node_kernels.h"
#include "runtime/context_inputs.h"
#include "runtime/cuda/device_schedule.h"

namespace qatrt::cuda {
namespace {

// NHWC with `stored` channels per pixel (the device layout) → NCHW with shape[1], for a 4-D graph output.
void nhwc_to_nchw(const uint8_t* src, uint8_t* dst, const Shape& shape, int64_t stored, size_t element) {
  const int64_t n = shape[0], c = shape[1], pixels = shape[2] * shape[3];
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t p = 0; p < pixels; ++p)
        std::memcpy(dst + ((i * c + ch) * pixels + p) * element, src + ((i * pixels + p) * stored + ch) * element,
                    element);
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n == 0 ? 0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Events created together and destroyed with this object.
class Events {
 public:
  Status create(size_t count) {
    events_.resize(count);
    for (CudaEvent& e : events_) QATRT_RETURN_IF_ERROR(e.create());
    return {};
  }
  cudaEvent_t operator[](size_t i) const { return events_[i].get(); }
  StatusOr<double> elapsed_ms(size_t from, size_t to) const {
    float ms = 0;
    QATRT_RETURN_IF_ERROR(
        cuda_status(cudaEventElapsedTime(&ms, events_[from].get(), events_[to].get()), "cudaEventElapsedTime"));
    return static_cast<double>(ms);
  }

 private:
  std::vector<CudaEvent> events_;
};

class Context final : public CudaExecutionContext {
 public:
  Context(Graph graph, int64_t batch) : graph_(std::move(graph)), batch_(batch) {}

  ~Context() override {
    if (stream_) cudaStreamSynchronize(stream_);
    if (network_) cudaGraphExecDestroy(network_);
    schedule_.steps.clear();  // kernels first: they enqueue on the stream
    backend_.reset();         // then the backend's library handles (cuDNN), which are bound to the stream
    if (stream_) cudaStreamDestroy(stream_);
  }

  Status init() {
    QATRT_RETURN_IF_ERROR(cuda_status(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cudaStreamCreate"));
    backend_ = make_cuda_backend(stream_);
    QATRT_ASSIGN_OR_RETURN(schedule_, build_device_schedule(graph_, *backend_));
    QATRT_ASSIGN_OR_RETURN(arena_, DeviceBuffer::allocate(schedule_.arena_bytes));
    for (DeviceStep& step : schedule_.steps)
      if (step.workspace >= 0)
        static_cast<KernelWithWorkspace*>(step.kernel.get())
            ->set_workspace(arena_.as<uint8_t>() + schedule_.values[step.workspace].offset);
    for (int index : schedule_.input_values) {
      QATRT_ASSIGN_OR_RETURN(PinnedBuffer pinned, PinnedBuffer::allocate(schedule_.values[index].bytes));
      pinned_inputs_.push_back(std::move(pinned));
    }
    for (int index : schedule_.output_values) {
      QATRT_ASSIGN_OR_RETURN(PinnedBuffer pinned, PinnedBuffer::allocate(schedule_.values[index].bytes));
      pinned_outputs_.push_back(std::move(pinned));
    }
    for (const Node& node : graph_.nodes) assignments_.push_back({.node = node.name, .backend = "cuda"});
    return {};
  }

  StatusOr<std::vector<Tensor>> run(const std::vector<Tensor>& inputs) override {
    QATRT_RETURN_IF_ERROR(stage_inputs(inputs));
    if (warmed_up_ && !network_) QATRT_RETURN_IF_ERROR(capture());  // on an idle stream, before the copies
    QATRT_RETURN_IF_ERROR(enqueue_copies(cudaMemcpyHostToDevice));
    if (warmed_up_) {
      QATRT_RETURN_IF_ERROR(enqueue_network());
    } else {
      QATRT_RETURN_IF_ERROR(warm_up());
    }
    QATRT_RETURN_IF_ERROR(enqueue_copies(cudaMemcpyDeviceToHost));
    QATRT_RETURN_IF_ERROR(synchronize());
    return read_outputs();
  }

  int64_t batch() const override { return batch_; }
  size_t arena_bytes() const override { return schedule_.arena_bytes; }
  const std::vector<NodeAssignment>& assignments() const override { return assignments_; }

  Status upload_inputs(const std::vector<Tensor>& inputs) override {
    QATRT_RETURN_IF_ERROR(stage_inputs(inputs));
    QATRT_RETURN_IF_ERROR(enqueue_copies(cudaMemcpyHostToDevice));
    return synchronize();
  }

  Status enqueue_network() override {
    if (!network_) QATRT_RETURN_IF_ERROR(capture());
    return cuda_status(cudaGraphLaunch(network_, stream_), "cudaGraphLaunch");
  }

  Status synchronize() override { return cuda_status(cudaStreamSynchronize(stream_), "cudaStreamSynchronize"); }

  StatusOr<std::vector<double>> time_network(int iterations) override {
    if (!network_) QATRT_RETURN_IF_ERROR(capture());
    Events events;
    QATRT_RETURN_IF_ERROR(events.create(2 * static_cast<size_t>(iterations)));
    for (int i = 0; i < iterations; ++i) {
      QATRT_RETURN_IF_ERROR(cuda_status(cudaEventRecord(events[2 * i], stream_), "cudaEventRecord"));
      QATRT_RETURN_IF_ERROR(enqueue_network());
      QATRT_RETURN_IF_ERROR(cuda_status(cudaEventRecord(events[2 * i + 1], stream_), "cudaEventRecord"));
    }
    QATRT_RETURN_IF_ERROR(synchronize());
    std::vector<double> times;
    for (int i = 0; i < iterations; ++i) {
      QATRT_ASSIGN_OR_RETURN(double ms, events.elapsed_ms(2 * i, 2 * i + 1));
      times.push_back(ms);
    }
    return times;
  }

  StatusOr<std::vector<LayerTime>> profile_layers(int iterations) override {
    if (!warmed_up_) QATRT_RETURN_IF_ERROR(warm_up());
    const size_t steps = schedule_.steps.size();
    std::vector<std::vector<double>> samples(steps);
    Events events;
    QATRT_RETURN_IF_ERROR(events.create(steps + 1));
    for (int i = 0; i < iterations; ++i) {
      for (size_t s = 0; s < steps; ++s) {
        QATRT_RETURN_IF_ERROR(cuda_status(cudaEventRecord(events[s], stream_), "cudaEventRecord"));
        QATRT_RETURN_IF_ERROR(enqueue_step(schedule_.steps[s]));
      }
      QATRT_RETURN_IF_ERROR(cuda_status(cudaEventRecord(events[steps], stream_), "cudaEventRecord"));
      QATRT_RETURN_IF_ERROR(synchronize());
      for (size_t s = 0; s < steps; ++s) {
        QATRT_ASSIGN_OR_RETURN(double ms, events.elapsed_ms(s, s + 1));
        samples[s].push_back(ms);
      }
    }
    std::vector<LayerTime> layers;
    for (size_t s = 0; s < steps; ++s)
      layers.push_back({schedule_.steps[s].layer, schedule_.steps[s].op, median_of(samples[s])});
    return layers;
  }

  bool uses_cuda_graph() const override { return network_ != nullptr; }

 private:
  TensorView view(int index) const {
    if (index < 0) return {};
    const DeviceValue& v = schedule_.values[index];
    return TensorView{.dtype = v.dtype, .shape = v.shape, .data = arena_.as<uint8_t>() + v.offset, .layout = v.layout};
  }

  Status stage_inputs(const std::vector<Tensor>& inputs) {
    QATRT_RETURN_IF_ERROR(validate_context_inputs(graph_, batch_, inputs));
    for (size_t i = 0; i < inputs.size(); ++i) std::memcpy(pinned_inputs_[i].data(), inputs[i].raw(), inputs[i].nbytes());
    return {};
  }

  // Host → device for every graph input, or device → host for every graph output, on the stream.
  Status enqueue_copies(cudaMemcpyKind kind) {
    const bool up = kind == cudaMemcpyHostToDevice;
    const std::vector<int>& values = up ? schedule_.input_values : schedule_.output_values;
    for (size_t i = 0; i < values.size(); ++i) {
      const DeviceValue& v = schedule_.values[values[i]];
      void* device = arena_.as<uint8_t>() + v.offset;
      void* host = up ? pinned_inputs_[i].data() : pinned_outputs_[i].data();
      QATRT_RETURN_IF_ERROR(cuda_status(cudaMemcpyAsync(up ? device : host, up ? host : device, v.bytes, kind, stream_),
                                        up ? "copying an input to the GPU" : "copying an output from the GPU"));
    }
    return {};
  }

  StatusOr<std::vector<Tensor>> read_outputs() const {
    std::vector<Tensor> outputs;
    for (size_t i = 0; i < schedule_.output_values.size(); ++i) {
      const DeviceValue& v = schedule_.values[schedule_.output_values[i]];
      Tensor out(v.dtype, v.shape);
      const auto* src = static_cast<const uint8_t*>(pinned_outputs_[i].data());
      if (v.shape.size() == 4 && v.layout == Layout::kNhwc)
        nhwc_to_nchw(src, out.data<uint8_t>(), v.shape, stored_channels(v.dtype, v.shape[1]), dtype_size(v.dtype));
      else
        std::memcpy(out.raw(), src, out.nbytes());
      outputs.push_back(std::move(out));
    }
    return outputs;
  }

  Status enqueue_step(DeviceStep& step) {
    in_views_.clear();
    out_views_.clear();
    for (int index : step.inputs) in_views_.push_back(view(index));
    for (int index : step.outputs) out_views_.push_back(view(index));
    if (step.kernel) return step.kernel->run(in_views_, out_views_).with_context("while running " + step.layer);
    const TensorView& x = in_views_[0];
    return cuda_status(nchw_to_nhwc(x.data, out_views_[0].data, static_cast<int>(x.shape[0]),
                                    static_cast<int>(x.shape[1]), x.shape[2] * x.shape[3],
                                    static_cast<int>(stored_channels(x.dtype, x.shape[1])),
                                    static_cast<int>(dtype_size(x.dtype)), stream_),
                       step.layer);
  }

  Status enqueue_steps() {
    for (DeviceStep& step : schedule_.steps) QATRT_RETURN_IF_ERROR(enqueue_step(step));
    return {};
  }

  // The first run is eager: kernels that choose a variant by timing (QConv's tile) do it here, where they may
  // synchronize, before anything is captured.
  Status warm_up() {
    QATRT_RETURN_IF_ERROR(enqueue_steps());
    QATRT_RETURN_IF_ERROR(synchronize());
    warmed_up_ = true;
    return {};
  }

  Status capture() {
    if (!warmed_up_) QATRT_RETURN_IF_ERROR(warm_up());
    QATRT_RETURN_IF_ERROR(cuda_status(cudaStreamBeginCapture(stream_, cudaStreamCaptureModeThreadLocal),
                                      "cudaStreamBeginCapture"));
    Status steps = enqueue_steps();
    cudaGraph_t graph = nullptr;
    Status end = cuda_status(cudaStreamEndCapture(stream_, &graph), "cudaStreamEndCapture");
    if (steps.ok() && end.ok())
      end = cuda_status(cudaGraphInstantiate(&network_, graph, 0), "cudaGraphInstantiate");
    if (graph) cudaGraphDestroy(graph);
    QATRT_RETURN_IF_ERROR(steps.with_context("capturing the network into a CUDA graph"));
    return end;
  }

  Graph graph_;
  int64_t batch_;
  cudaStream_t stream_ = nullptr;
  std::unique_ptr<Backend> backend_;
  DeviceSchedule schedule_;
  DeviceBuffer arena_;
  std::vector<PinnedBuffer> pinned_inputs_, pinned_outputs_;
  std::vector<NodeAssignment> assignments_;
  std::vector<TensorView> in_views_, out_views_;
  cudaGraphExec_t network_ = nullptr;
  bool warmed_up_ = false;
};

}  // namespace

StatusOr<std::unique_ptr<CudaExecutionContext>> make_cuda_execution_context(Graph graph, int64_t batch) {
  auto context = std::make_unique<Context>(std::move(graph), batch);
  QATRT_RETURN_IF_ERROR(context->init());
  return std::unique_ptr<CudaExecutionContext>(std::move(context));
}

}  // namespace qatrt::cuda
