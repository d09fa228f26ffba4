// FusedConv and FusedGemm (src/ir/ops.h) on cuDNN, in the device layout (NHWC float, device_layout.h):
//   y = relu?( (conv(x, w) + bias[k]) + residual )
// FusedGemm is the same as a 1×1 convolution: a row-major [M, K] operand is NHWC [M, 1, 1, K], a [N, K] weight
// is a KRSC filter [N, 1, 1, K], and [M, N] rows are NHWC [M, 1, 1, N]. Three ways to run it:
// - legacy: one cudnnConvolutionBiasActivationForward, y = act(1·conv(x, w) + α₂·z + bias) with z = the residual
//   (α₂ = 1) or no residual (α₂ = 0, z = y); an absent bias is zeros. Its algorithm: cuDNN's Find times every
//   algorithm on the device and the fastest whose workspace fits kMaxWorkspaceBytes is kept. cuDNN fuses the
//   identity activation only into IMPLICIT_PRECOMP_GEMM, so a layer without relu (ResNet-50's shortcut
//   convolutions and fc1000) runs that algorithm, untimed.
// - graph (float32 only): the layer as one cuDNN operation graph, engines from cuDNN's heuristics, the fastest
//   of a few plain-FP32 plans (cudnn_graph_conv.h). Every legacy NHWC FP32 algorithm is slow on the H200 (a
//   ResNet-50 res2 3×3 layer takes about 5.8 ms at batch 256); the graph plans win most layers at batch 1, few
//   at batch 256, where the fused graphs get few plain-FP32 engines (bench/cuda_conv_notes.md, "t").
// - graph-conv (float32 only): the convolution alone as a cuDNN graph (GraphOps::kConvOnly, y written by the
//   convolution), engines chosen as for the graph path, then our in-place epilogue kernel
//   y = relu?((y + bias[k]) + residual) (bias_residual_relu.h), the additions in the reference's order. This is
//   how PyTorch runs an FP32 ResNet-50 (a bare convolution, then separate kernels): cuDNN offers the bare
//   convolution plain-FP32 engines it does not offer the fused graphs; the epilogue costs one more pass over y.
// The choice is timed eagerly, each path a few launches, before the network is captured: near-ties between the
// paths are noise (a stricter rule — medians, a margin before leaving the legacy call — is still to do).
// Which one: a float16 layer always takes the legacy call. A float32 layer times all three when its kernel is
// made (each a warm-up then CudnnHandle::kTimedLaunches launches between CUDA events, on zero-filled buffers of
// the layer's shapes: the legacy call with its algorithm, the best fused plan, and the best conv-only plan
// together with the epilogue launch) and keeps the fastest; a graph path is skipped when no plain-FP32 engine
// finalizes for it, and the layer fails only when no path can run it.
// QATRT_CUDA_FLOAT_CONV=legacy, =graph or =graph-conv forces one path for float32 layers (tests cover each; a
// forced path that cannot run the layer is an error); any other non-empty value is an error naming the variable.
// QATRT_CUDA_FLOAT_CONV_REPORT=1 prints each float32 problem's choice and all three times to stderr when it is
// made. The choice is made once per problem per backend (CudnnHandle remembers it) and kept for every layer of
// it.
//
// Arithmetic: float32 layers are plain FP32 — CUDNN_FMA_MATH on the legacy call, and no graph engine whose
// numerical notes say tensor cores (TF32), down-converted inputs or reduced-precision reduction — so that an
// FP32 plan is the honest FP32 baseline; the result differs from the reference backend only by summation order.
// Float16 layers (a --fp16 plan: operands, bias and result float16) run with CUDNN_TENSOR_OP_MATH and a float32
// compute type — tensor cores accumulating in float32, the result rounded to float16 (src/ir/ops.h, "Float16").
//
// Every path enqueues on the backend's stream without synchronizing (the graph paths bind the run's pointers in
// a variant pack per run), so a run can be captured in a CUDA graph. The workspace lives in the execution
// context's arena (KernelWithWorkspace).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <string_view>
#include <vector>

#include "backends/cuda/bias_residual_relu.h"
#include "backends/cuda/cudnn_graph_conv.h"
#include "backends/cuda/cudnn_handle.h"
#include "backends/cuda/node_kernels.h"
#include "backends/reference/kernel_util.h"
#include "backends/reference/window.h"

namespace qatrt::cuda {
namespace {

// The largest workspace an algorithm or engine may ask for (the arena holds one at a time: workspaces live for
// their step only).
constexpr size_t kMaxWorkspaceBytes = size_t{256} << 20;

// How a float32 layer's convolution is chosen (QATRT_CUDA_FLOAT_CONV, header comment).
enum class FloatConvPath { kFastest, kLegacy, kGraph, kGraphConv };

std::string_view path_name(FloatConvPath path) {
  switch (path) {
    case FloatConvPath::kLegacy: return "legacy";
    case FloatConvPath::kGraph: return "graph";
    case FloatConvPath::kGraphConv: return "graph-conv";
    case FloatConvPath::kFastest: break;
  }
  return "fastest";
}

StatusOr<FloatConvPath> float_conv_path() {
  const char* value = std::getenv("QATRT_CUDA_FLOAT_CONV");
  if (value == nullptr || *value == '\0') return FloatConvPath::kFastest;
  for (FloatConvPath path : {FloatConvPath::kLegacy, FloatConvPath::kGraph, FloatConvPath::kGraphConv})
    if (path_name(path) == value) return path;
  return make_error(StatusCode::kInvalidArgument, "QATRT_CUDA_FLOAT_CONV=", value,
                    ": expected legacy, graph or graph-conv (or unset: each float32 layer takes the fastest of the "
                    "three)");
}

// QATRT_CUDA_FLOAT_CONV_REPORT=1 turns the report on; unset, empty or any other value leaves it off.
bool report_choices() {
  const char* value = std::getenv("QATRT_CUDA_FLOAT_CONV_REPORT");
  return value != nullptr && std::string_view(value) == "1";
}

Status unsupported(const Node& node, const std::string& why) {
  return make_error(StatusCode::kUnsupported, node.describe(), ": ", why);
}

StatusOr<FloatConvProblem> plan_float_conv(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(reference::check_arity(node, 2, 4, 1));
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  QATRT_RETURN_IF_ERROR(
      reference::check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32, DType::kFloat16}));
  QATRT_RETURN_IF_ERROR(reference::check_dtype(graph, node, node.inputs[1], "weight", {x.dtype}));
  if (y.dtype != x.dtype) return unsupported(node, "the output's dtype differs from the input's");
  if (!graph.is_constant(node.inputs[1])) return unsupported(node, "the weight is not a constant (fold it when building)");
  FloatConvProblem p{.dtype = x.dtype};
  p.relu = node.attr_int("relu", 0) != 0;
  p.bias = reference::has_input(node, 2);
  p.residual = reference::has_input(node, 3);
  if (p.bias) {
    QATRT_RETURN_IF_ERROR(reference::check_dtype(graph, node, node.inputs[2], "bias", {x.dtype}));
    if (!graph.is_constant(node.inputs[2])) return unsupported(node, "the bias is not a constant");
    const Shape& bias = graph.value(node.inputs[2]).shape;
    const int64_t k = graph.value(node.inputs[1]).shape[0];
    if (shape_numel(bias) != k)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": bias ", shape_to_string(bias), " for ", k,
                        " output channels");
  }
  if (p.residual) {
    const Value& z = graph.value(node.inputs[3]);
    if (z.dtype != y.dtype || z.shape != y.shape)
      return unsupported(node, "residual " + std::string(dtype_name(z.dtype)) + shape_to_string(z.shape) +
                                   " is not the output's " + std::string(dtype_name(y.dtype)) + shape_to_string(y.shape));
  }
  if (node.op == Op::kFusedGemm) {
    const Shape& a = x.shape;
    const Shape& wshape = graph.value(node.inputs[1]).shape;
    if (a.size() != 2 || wshape.size() != 2 || a[1] != wshape[1])
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(a), " and weight ",
                        shape_to_string(wshape), " must be [M,K] and [N,K]");
    p.n = static_cast<int>(a[0]);
    p.c = static_cast<int>(a[1]);
    p.k = static_cast<int>(wshape[0]);
    return p;
  }
  if (x.shape.size() != 4)
    return unsupported(node, "input " + shape_to_string(x.shape) + " is not 4-D; the GPU convolution is 2-D only");
  QATRT_ASSIGN_OR_RETURN(reference::ConvShape shape, reference::make_conv_shape(graph, node));
  const reference::Window& win = shape.window;
  p.n = static_cast<int>(shape.batch);
  p.c = static_cast<int>(shape.in_channels);
  p.h = static_cast<int>(win.in[1]);
  p.w = static_cast<int>(win.in[2]);
  p.k = static_cast<int>(shape.out_channels);
  p.group = static_cast<int>(shape.group);
  p.r = static_cast<int>(win.kernel[1]);
  p.s = static_cast<int>(win.kernel[2]);
  p.stride_h = static_cast<int>(win.stride[1]);
  p.stride_w = static_cast<int>(win.stride[2]);
  p.pad_h = static_cast<int>(win.pad_begin[1]);
  p.pad_w = static_cast<int>(win.pad_begin[2]);
  p.dilation_h = static_cast<int>(win.dilation[1]);
  p.dilation_w = static_cast<int>(win.dilation[2]);
  p.p = static_cast<int>(win.out[1]);
  p.q = static_cast<int>(win.out[2]);
  // cuDNN pads both ends alike: the trailing pads may differ from the leading ones only where that does not
  // change the output size (they then only add taps no window reaches).
  const auto symmetric_out = [](int in, int pad, int kernel, int stride, int dilation) {
    return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
  };
  if (symmetric_out(p.h, p.pad_h, p.r, p.stride_h, p.dilation_h) != p.p ||
      symmetric_out(p.w, p.pad_w, p.s, p.stride_w, p.dilation_w) != p.q)
    return unsupported(node, "pads " + shape_to_string(node.attr_ints("pads")) + " give output " +
                                 std::to_string(p.p) + "x" + std::to_string(p.q) +
                                 ", which cuDNN's symmetric padding does not (run this layer on the CPU backend)");
  return p;
}

// The KCRS (ONNX) weight as KRSC, the filter layout that goes with NHWC activations. T: float, or uint16_t
// holding float16 bits.
template <typename T>
std::vector<T> pack_krsc(const T* w, int k, int c, int r, int s) {
  std::vector<T> packed(static_cast<size_t>(k) * c * r * s);
  for (int ki = 0; ki < k; ++ki)
    for (int ci = 0; ci < c; ++ci)
      for (int i = 0; i < r * s; ++i)
        packed[(static_cast<size_t>(ki) * r * s + i) * c + ci] = w[(static_cast<size_t>(ki) * c + ci) * r * s + i];
  return packed;
}

// Plain FP32 (no TF32) for float32 layers, tensor cores for float16 ones.
cudnnMathType_t math_type(const FloatConvProblem& p) {
  return p.dtype == DType::kFloat16 ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
}

// The legacy path: descriptors of one problem for cudnnConvolutionBiasActivationForward, and its algorithm.
struct LegacyConv {
  TensorDescriptor x, y, bias;
  FilterDescriptor w;
  ConvolutionDescriptor conv;
  ActivationDescriptor activation;
  cudnnConvolutionFwdAlgo_t algorithm = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
  size_t workspace_bytes = 0;

  Status init(const FloatConvProblem& p) {
    const bool half = p.dtype == DType::kFloat16;
    const cudnnDataType_t type = half ? CUDNN_DATA_HALF : CUDNN_DATA_FLOAT;
    for (TensorDescriptor* d : {&x, &y, &bias}) QATRT_RETURN_IF_ERROR(d->create());
    QATRT_RETURN_IF_ERROR(w.create());
    QATRT_RETURN_IF_ERROR(conv.create());
    QATRT_RETURN_IF_ERROR(activation.create());
    const std::string what = "cuDNN descriptors for " + p.text();
    QATRT_RETURN_IF_ERROR(
        cudnn_status(cudnnSetTensor4dDescriptor(x.get(), CUDNN_TENSOR_NHWC, type, p.n, p.c, p.h, p.w), what));
    QATRT_RETURN_IF_ERROR(
        cudnn_status(cudnnSetTensor4dDescriptor(y.get(), CUDNN_TENSOR_NHWC, type, p.n, p.k, p.p, p.q), what));
    QATRT_RETURN_IF_ERROR(
        cudnn_status(cudnnSetTensor4dDescriptor(bias.get(), CUDNN_TENSOR_NHWC, type, 1, p.k, 1, 1), what));
    QATRT_RETURN_IF_ERROR(cudnn_status(
        cudnnSetFilter4dDescriptor(w.get(), type, CUDNN_TENSOR_NHWC, p.k, p.c / p.group, p.r, p.s), what));
    QATRT_RETURN_IF_ERROR(cudnn_status(
        cudnnSetConvolution2dDescriptor(conv.get(), p.pad_h, p.pad_w, p.stride_h, p.stride_w, p.dilation_h,
                                        p.dilation_w, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT),
        what));
    QATRT_RETURN_IF_ERROR(cudnn_status(cudnnSetConvolutionGroupCount(conv.get(), p.group), what));
    QATRT_RETURN_IF_ERROR(cudnn_status(cudnnSetConvolutionMathType(conv.get(), math_type(p)), what));
    QATRT_RETURN_IF_ERROR(cudnn_status(
        cudnnSetActivationDescriptor(activation.get(), p.relu ? CUDNN_ACTIVATION_RELU : CUDNN_ACTIVATION_IDENTITY,
                                     CUDNN_PROPAGATE_NAN, 0.0),
        what));
    int out_n = 0, out_c = 0, out_h = 0, out_w = 0;
    QATRT_RETURN_IF_ERROR(cudnn_status(
        cudnnGetConvolution2dForwardOutputDim(conv.get(), x.get(), w.get(), &out_n, &out_c, &out_h, &out_w), what));
    if (out_n != p.n || out_c != p.k || out_h != p.p || out_w != p.q)
      return make_error(StatusCode::kInternal, what, ": cuDNN's output is [", out_n, ",", out_c, ",", out_h, ",",
                        out_w, "], not [", p.n, ",", p.k, ",", p.p, ",", p.q, "]");
    return {};
  }

  // The workspace `candidate` needs for this problem, or an error when cuDNN cannot run it here.
  StatusOr<size_t> workspace_for(cudnnHandle_t handle, cudnnConvolutionFwdAlgo_t candidate) const {
    size_t bytes = 0;
    QATRT_RETURN_IF_ERROR(cudnn_status(
        cudnnGetConvolutionForwardWorkspaceSize(handle, x.get(), w.get(), conv.get(), y.get(), candidate, &bytes),
        "cudnnGetConvolutionForwardWorkspaceSize"));
    return bytes;
  }

  // The algorithm for `p` (header comment) with its math type and workspace bytes.
  StatusOr<cudnnConvolutionFwdAlgoPerf_t> find_algorithm(cudnnHandle_t handle, const FloatConvProblem& p) {
    if (!p.relu) {  // the only algorithm that fuses the identity activation
      cudnnConvolutionFwdAlgoPerf_t fixed{};
      fixed.algo = CUDNN_CONVOLUTION_FWD_ALGO_IMPLICIT_PRECOMP_GEMM;
      fixed.mathType = math_type(p);
      QATRT_RETURN_IF_ERROR(cudnn_status(cudnnSetConvolutionMathType(conv.get(), fixed.mathType), p.text()));
      QATRT_ASSIGN_OR_RETURN(fixed.memory, workspace_for(handle, fixed.algo));
      return fixed;
    }
    cudnnConvolutionFwdAlgoPerf_t results[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int returned = 0;
    QATRT_RETURN_IF_ERROR(cudnn_status(cudnnFindConvolutionForwardAlgorithm(handle, x.get(), w.get(), conv.get(),
                                                                            y.get(), CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                                                                            &returned, results),
                                       "cudnnFindConvolutionForwardAlgorithm for " + p.text()));
    // Find times each algorithm under the math types the descriptor allows and reports which; the layer must
    // run with that one. A float32 layer takes plain FMA only (TF32 would not be the FP32 baseline). A float16
    // layer prefers tensor-core math: Find times the plain convolution, and on the H200 its fastest
    // default-math pick ran ResNet-50 at batch 1 in 2.59 ms against 0.34 ms with tensor-core picks. Only where
    // no tensor-core algorithm exists (the C = 3 stem at batch 256) does it take another.
    for (bool preferred_math_only : {true, false}) {
      for (int i = 0; i < returned; ++i) {  // fastest first
        if (results[i].status != CUDNN_STATUS_SUCCESS || results[i].memory > kMaxWorkspaceBytes) continue;
        const bool preferred = results[i].mathType == math_type(p);
        if (!preferred && (preferred_math_only || p.dtype == DType::kFloat32)) continue;
        if (cudnnSetConvolutionMathType(conv.get(), results[i].mathType) != CUDNN_STATUS_SUCCESS) continue;
        StatusOr<size_t> bytes = workspace_for(handle, results[i].algo);  // under that math type
        if (!bytes.ok()) continue;
        results[i].memory = *bytes;
        return results[i];
      }
    }
    return make_error(StatusCode::kUnsupported, "cuDNN has no algorithm for ", p.text(), " within a ",
                      kMaxWorkspaceBytes >> 20, " MiB workspace");
  }

  Status use(const cudnnConvolutionFwdAlgoPerf_t& chosen) {
    algorithm = chosen.algo;
    workspace_bytes = chosen.memory;
    return cudnn_status(cudnnSetConvolutionMathType(conv.get(), chosen.mathType), "cudnnSetConvolutionMathType");
  }

  Status run(cudnnHandle_t handle, const FloatConvOperands& o, void* workspace) const {
    const float one = 1.0f, residual_weight = o.residual ? 1.0f : 0.0f;
    const void* z = o.residual ? o.residual : o.y;  // α₂ = 0: z is not read
    return cudnn_status(cudnnConvolutionBiasActivationForward(handle, &one, x.get(), o.x, w.get(), o.w, conv.get(),
                                                              algorithm, workspace, workspace_bytes,
                                                              &residual_weight, y.get(), z, bias.get(), o.bias,
                                                              activation.get(), y.get(), o.y),
                        "cudnnConvolutionBiasActivationForward");
  }
};

// Zero-filled device activations of a float32 problem's shapes, to time candidates on (a convolution's speed
// does not depend on the values).
struct TimingBuffers {
  DeviceBuffer x, residual, y;

  static StatusOr<TimingBuffers> allocate(const FloatConvProblem& p, cudaStream_t stream) {
    const size_t in_bytes = sizeof(float) * p.n * p.h * p.w * p.c;
    const size_t out_bytes = sizeof(float) * p.n * p.p * p.q * p.k;
    TimingBuffers b;
    QATRT_ASSIGN_OR_RETURN(b.x, DeviceBuffer::allocate(in_bytes));
    QATRT_ASSIGN_OR_RETURN(b.y, DeviceBuffer::allocate(out_bytes));
    if (p.residual) {
      QATRT_ASSIGN_OR_RETURN(b.residual, DeviceBuffer::allocate(out_bytes));
    }
    for (const DeviceBuffer* buffer : {&b.x, &b.y, &b.residual})
      if (buffer->data())
        QATRT_RETURN_IF_ERROR(cuda_status(cudaMemsetAsync(buffer->data(), 0, buffer->bytes(), stream),
                                          "zeroing a timing buffer"));
    return b;
  }
  FloatConvOperands operands(const void* w, const void* bias) const {
    return {.x = x.data(), .w = w, .bias = bias, .residual = residual.data(), .y = y.data()};
  }
};

class FloatConvKernel final : public KernelWithWorkspace {
 public:
  FloatConvKernel(std::string what, std::shared_ptr<CudnnHandle> handle, const FloatConvProblem& p,
                  DeviceBuffer weights, DeviceBuffer bias)
      : what_(std::move(what)), handle_(std::move(handle)), p_(p), weights_(std::move(weights)),
        bias_(std::move(bias)) {}

  Status init(FloatConvPath path) {
    if (p_.dtype != DType::kFloat32) path = FloatConvPath::kLegacy;  // the graph paths are float32 only
    legacy_ready_ = legacy_.init(p_);
    // The legacy algorithm does not depend on the bias and residual (one Find per convolution shape, as
    // before the graph path), the conv-only plan on none of the three terms; the fused graph's operations and
    // so the fastest path do.
    FloatConvProblem key = p_;
    if (path == FloatConvPath::kLegacy || path == FloatConvPath::kGraphConv) key.bias = key.residual = false;
    if (path == FloatConvPath::kGraphConv) key.relu = false;
    const std::string problem = std::string(path_name(path)) + " " + key.text();
    if (const FloatConvChoice* known = handle_->chosen(problem)) return adopt(*known).with_context(what_);
    StatusOr<FloatConvChoice> choice = choose(path);
    if (!choice.ok()) return choice.status().with_context(what_);
    handle_->remember(problem, *choice);
    return adopt(*choice).with_context(what_);
  }

  size_t workspace_bytes() const override { return graph_ ? graph_->workspace_bytes() : legacy_.workspace_bytes; }
  void set_workspace(void* device) override { workspace_ = device; }

  Status run(std::span<const TensorView> in, std::span<const TensorView> out) override {
    if (workspace_bytes() > 0 && !workspace_)
      return make_error(StatusCode::kInternal, what_, ": the cuDNN workspace was not set");
    for (size_t i : {size_t{0}, size_t{3}})
      if (i < in.size() && in[i].data && in[i].shape.size() == 4 && in[i].layout != Layout::kNhwc)
        return make_error(StatusCode::kInternal, what_, ": operand ", i, " is not NHWC (device_layout.h)");
    const FloatConvOperands operands{.x = in[0].data,
                                     .w = weights_.data(),
                                     .bias = bias_.data(),
                                     .residual = p_.residual ? in[3].data : nullptr,
                                     .y = out[0].data};
    return launch(operands, workspace_).with_context(what_);
  }

 private:
  Status launch(const FloatConvOperands& operands, void* workspace) const {
    if (graph_) return run_graph(*graph_, operands, workspace);
    return legacy_.run(handle_->get(), operands, workspace);
  }

  // `plan`, and after a conv-only one the layer's bias, residual and relu in place on y.
  Status run_graph(const GraphConvPlan& plan, const FloatConvOperands& o, void* workspace) const {
    QATRT_RETURN_IF_ERROR(plan.run(handle_->get(), o, workspace));
    if (plan.ops() == GraphOps::kFused || !(p_.bias || p_.residual || p_.relu)) return {};
    const int64_t rows = int64_t{p_.n} * p_.p * p_.q;
    const float* bias = p_.bias ? static_cast<const float*>(o.bias) : nullptr;  // o.bias is zeros without one
    return cuda_status(add_bias_residual_relu(static_cast<float*>(o.y), bias, static_cast<const float*>(o.residual),
                                              rows, p_.k, p_.relu, handle_->stream()),
                       "the conv-only graph's bias/residual/relu kernel");
  }

  Status adopt(const FloatConvChoice& choice) {
    graph_ = choice.graph;
    if (graph_) return {};
    QATRT_RETURN_IF_ERROR(legacy_ready_);
    return legacy_.use(choice.legacy);
  }

  // The legacy call's algorithm, and its time on `operands`.
  StatusOr<float> time_legacy(const FloatConvOperands& operands, cudnnConvolutionFwdAlgoPerf_t& chosen) {
    QATRT_RETURN_IF_ERROR(legacy_ready_);
    QATRT_ASSIGN_OR_RETURN(chosen, legacy_.find_algorithm(handle_->get(), p_));
    QATRT_RETURN_IF_ERROR(legacy_.use(chosen));
    DeviceBuffer workspace;
    if (chosen.memory > 0) {
      QATRT_ASSIGN_OR_RETURN(workspace, DeviceBuffer::allocate(chosen.memory));
    }
    return handle_->time_ms([&] { return legacy_.run(handle_->get(), operands, workspace.data()); });
  }

  // The time of a conv-only plan and the epilogue launch after it, on `operands`.
  StatusOr<float> time_graph_conv(const GraphConvPlan& plan, const FloatConvOperands& operands) const {
    DeviceBuffer workspace;
    if (plan.workspace_bytes() > 0) {
      QATRT_ASSIGN_OR_RETURN(workspace, DeviceBuffer::allocate(plan.workspace_bytes()));
    }
    return handle_->time_ms([&] { return run_graph(plan, operands, workspace.data()); });
  }

  StatusOr<FloatConvChoice> choose(FloatConvPath path) {
    FloatConvChoice choice;
    if (path == FloatConvPath::kLegacy) {
      QATRT_RETURN_IF_ERROR(legacy_ready_);
      QATRT_ASSIGN_OR_RETURN(choice.legacy, legacy_.find_algorithm(handle_->get(), p_));
      return choice;
    }
    QATRT_ASSIGN_OR_RETURN(TimingBuffers buffers, TimingBuffers::allocate(p_, handle_->stream()));
    const FloatConvOperands operands = buffers.operands(weights_.data(), bias_.data());
    if (path == FloatConvPath::kGraph || path == FloatConvPath::kGraphConv) {
      const GraphOps ops = path == FloatConvPath::kGraph ? GraphOps::kFused : GraphOps::kConvOnly;
      StatusOr<std::shared_ptr<const GraphConvPlan>> graph =
          GraphConvPlan::create(*handle_, p_, ops, operands, kMaxWorkspaceBytes);
      if (!graph.ok())
        return graph.status().with_context("QATRT_CUDA_FLOAT_CONV=" + std::string(path_name(path)) +
                                           " (unset it to let each layer take the fastest path that runs)");
      choice.graph = *graph;
      return choice;
    }
    StatusOr<float> legacy_ms = time_legacy(operands, choice.legacy);
    StatusOr<std::shared_ptr<const GraphConvPlan>> fused =
        GraphConvPlan::create(*handle_, p_, GraphOps::kFused, operands, kMaxWorkspaceBytes);
    StatusOr<float> fused_ms = fused.ok() ? StatusOr<float>((*fused)->measured_ms()) : fused.status();
    StatusOr<std::shared_ptr<const GraphConvPlan>> conv_only =
        GraphConvPlan::create(*handle_, p_, GraphOps::kConvOnly, operands, kMaxWorkspaceBytes);
    StatusOr<float> conv_only_ms = conv_only.ok() ? time_graph_conv(**conv_only, operands) : conv_only.status();
    if (!legacy_ms.ok() && !fused_ms.ok() && !conv_only_ms.ok())
      return make_error(StatusCode::kUnsupported, "no cuDNN path runs ", p_.text(), ": legacy: ",
                        legacy_ms.status().message(), "; graph: ", fused_ms.status().message(), "; graph-conv: ",
                        conv_only_ms.status().message());
    float best_ms = legacy_ms.ok() ? *legacy_ms : std::numeric_limits<float>::infinity();
    for (auto [plan, ms] : {std::pair{&fused, &fused_ms}, std::pair{&conv_only, &conv_only_ms}})
      if (ms->ok() && **ms < best_ms) {
        best_ms = **ms;
        choice.graph = **plan;
      }
    if (report_choices()) report(choice, legacy_ms, fused, conv_only, conv_only_ms);
    return choice;
  }

  // One stderr line (QATRT_CUDA_FLOAT_CONV_REPORT): each path's time, or why it failed, and the choice.
  void report(const FloatConvChoice& choice, const StatusOr<float>& legacy_ms,
              const StatusOr<std::shared_ptr<const GraphConvPlan>>& fused,
              const StatusOr<std::shared_ptr<const GraphConvPlan>>& conv_only,
              const StatusOr<float>& conv_only_ms) const {
    std::cerr << "qatrt cuda float conv " << p_.text() << ": legacy algorithm ";
    if (legacy_ms.ok()) std::cerr << choice.legacy.algo << " " << legacy_ms.value() << " ms";
    else std::cerr << "failed (" << legacy_ms.status().message() << ")";
    if (fused.ok()) std::cerr << ", " << fused.value()->text() << " " << fused.value()->measured_ms() << " ms";
    else std::cerr << ", graph failed (" << fused.status().message() << ")";
    if (!conv_only.ok()) std::cerr << ", graph-conv failed (" << conv_only.status().message() << ")";
    else std::cerr << ", " << conv_only.value()->text() << " " << conv_only.value()->measured_ms() << " ms";
    if (conv_only.ok() && conv_only_ms.ok()) std::cerr << " + epilogue = " << conv_only_ms.value() << " ms";
    else if (conv_only.ok()) std::cerr << ", + epilogue failed (" << conv_only_ms.status().message() << ")";
    const FloatConvPath chosen = !choice.graph                            ? FloatConvPath::kLegacy
                                 : choice.graph->ops() == GraphOps::kFused ? FloatConvPath::kGraph
                                                                           : FloatConvPath::kGraphConv;
    std::cerr << " -> " << path_name(chosen) << "\n";
  }

  std::string what_;
  std::shared_ptr<CudnnHandle> handle_;
  FloatConvProblem p_;
  DeviceBuffer weights_, bias_;
  LegacyConv legacy_;
  Status legacy_ready_;  // the legacy descriptors' init
  std::shared_ptr<const GraphConvPlan> graph_;  // null: the legacy call runs
  void* workspace_ = nullptr;
};

// The packed weight and the bias on the device, in the layer's element type T (cuDNN's fused call always adds
// a bias: an absent one is zeros, which are all-zero bits in float32 and float16 alike).
template <typename T>
Status upload_operands(const Graph& graph, const Node& node, const FloatConvProblem& p, DeviceBuffer& weights,
                       DeviceBuffer& bias) {
  const Tensor& w = *graph.value(node.inputs[1]).constant;
  const std::vector<T> packed = pack_krsc(w.data<T>(), p.k, p.c / p.group, p.r, p.s);
  std::vector<T> b(p.k, T{0});
  if (p.bias) {
    const Tensor& t = *graph.value(node.inputs[2]).constant;
    b.assign(t.data<T>(), t.data<T>() + p.k);
  }
  QATRT_ASSIGN_OR_RETURN(weights, DeviceBuffer::upload(packed.data(), packed.size() * sizeof(T)));
  QATRT_ASSIGN_OR_RETURN(bias, DeviceBuffer::upload(b.data(), b.size() * sizeof(T)));
  return {};
}

}  // namespace

Status check_float_conv(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(float_conv_path().status().with_context(node.describe()));
  return plan_float_conv(graph, node).status();
}

KernelOr make_float_conv(const Graph& graph, const Node& node, std::shared_ptr<CudnnHandle> cudnn) {
  QATRT_ASSIGN_OR_RETURN(FloatConvPath path, float_conv_path());
  QATRT_ASSIGN_OR_RETURN(FloatConvProblem p, plan_float_conv(graph, node));
  DeviceBuffer weights, bias_buffer;
  QATRT_RETURN_IF_ERROR(p.dtype == DType::kFloat16 ? upload_operands<uint16_t>(graph, node, p, weights, bias_buffer)
                                                   : upload_operands<float>(graph, node, p, weights, bias_buffer));
  auto kernel = std::make_unique<FloatConvKernel>(node.describe() + " on cuda (cuDNN)", std::move(cudnn), p,
                                                  std::move(weights), std::move(bias_buffer));
  QATRT_RETURN_IF_ERROR(kernel->init(path));
  return std::unique_ptr<Kernel>(std::move(kernel));
}

}  // namespace qatrt::cuda
