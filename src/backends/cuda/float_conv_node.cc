// FusedConv and FusedGemm (src/ir/ops.h) on cuDNN, in the device layout (NHWC float, device_layout.h):
//   y = relu?( conv(x, w) + bias[k] + residual )  as one cudnnConvolutionBiasActivationForward,
//   y = act(1·conv(x, w) + α₂·z + bias) with z = the residual (α₂ = 1) or no residual (α₂ = 0, z = y).
// FusedGemm is the same call as a 1×1 convolution: a row-major [M, K] operand is NHWC [M, 1, 1, K], a [N, K]
// weight is a KRSC filter [N, 1, 1, K], and [M, N] rows are NHWC [M, 1, 1, N].
//
// Arithmetic: float32 layers run with CUDNN_FMA_MATH — plain FP32, no TF32 tensor cores — so that an FP32 plan
// is the honest FP32 baseline; the result differs from the reference backend only by summation order. Float16
// layers (a --fp16 plan: operands, bias and result float16) run with CUDNN_TENSOR_OP_MATH and a float32
// compute type — tensor cores accumulating in float32, the result rounded to float16 (src/ir/ops.h, "Float16").
//
// The algorithm is chosen once, when the kernel is made: cuDNN's Find times every algorithm on the device,
// and the fastest whose workspace fits kMaxWorkspaceBytes is kept (remembered per problem by the backend's
// CudnnHandle). cuDNN fuses the identity activation only into IMPLICIT_PRECOMP_GEMM, so a layer without relu
// (ResNet-50's shortcut convolutions and fc1000) runs that algorithm, untimed; the next step for them is the
// unfused call with a timed algorithm plus a bias/residual add, or the cuDNN graph API. The workspace lives in the execution context's arena (KernelWithWorkspace).
#include <cstdint>
#include <sstream>
#include <vector>

#include "backends/cuda/cudnn_handle.h"
#include "backends/cuda/node_kernels.h"
#include "backends/reference/kernel_util.h"
#include "backends/reference/window.h"

namespace qatrt::cuda {
namespace {

// The largest workspace an algorithm may ask for (the arena holds one at a time: workspaces live for their
// step only).
constexpr size_t kMaxWorkspaceBytes = size_t{256} << 20;

struct FloatConvProblem {
  DType dtype = DType::kFloat32;
  int n = 1, c = 1, h = 1, w = 1;  // input, NHWC
  int k = 1, r = 1, s = 1, group = 1;
  int stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  int p = 1, q = 1;  // output height and width
  bool relu = false, bias = false, residual = false;

  std::string text() const {
    std::ostringstream o;
    o << dtype_name(dtype) << " x[" << n << "," << h << "," << w << "," << c << "] w[" << k << "," << r << "," << s
      << "," << c / group << "] group " << group << " stride " << stride_h << "x" << stride_w << " pad " << pad_h
      << "x" << pad_w << " dilation " << dilation_h << "x" << dilation_w << " relu " << relu;
    return o.str();
  }
};

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

// Descriptors of one problem and the algorithm chosen for it.
struct Descriptors {
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

  Status choose_algorithm(CudnnHandle& handle, const FloatConvProblem& p) {
    const std::string problem = p.text();
    if (!p.relu) {  // the only algorithm that fuses the identity activation
      QATRT_ASSIGN_OR_RETURN(workspace_bytes, workspace_for(handle.get(), algorithm));
      return {};
    }
    if (const cudnnConvolutionFwdAlgoPerf_t* known = handle.chosen(problem)) {
      algorithm = known->algo;
      workspace_bytes = known->memory;
      return cudnn_status(cudnnSetConvolutionMathType(conv.get(), known->mathType), problem);
    }
    cudnnConvolutionFwdAlgoPerf_t results[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    int returned = 0;
    QATRT_RETURN_IF_ERROR(cudnn_status(cudnnFindConvolutionForwardAlgorithm(handle.get(), x.get(), w.get(), conv.get(),
                                                                            y.get(), CUDNN_CONVOLUTION_FWD_ALGO_COUNT,
                                                                            &returned, results),
                                       "cudnnFindConvolutionForwardAlgorithm for " + problem));
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
        StatusOr<size_t> bytes = workspace_for(handle.get(), results[i].algo);  // under that math type
        if (!bytes.ok()) continue;
        results[i].memory = *bytes;
        algorithm = results[i].algo;
        workspace_bytes = *bytes;
        handle.remember(problem, results[i]);
        return {};
      }
    }
    return make_error(StatusCode::kUnsupported, "cuDNN has no algorithm for ", problem, " within a ",
                      kMaxWorkspaceBytes >> 20, " MiB workspace");
  }
};

class FloatConvKernel final : public KernelWithWorkspace {
 public:
  FloatConvKernel(std::string what, std::shared_ptr<CudnnHandle> handle, bool residual)
      : what_(std::move(what)), handle_(std::move(handle)), residual_(residual) {}

  Status init(const FloatConvProblem& p, DeviceBuffer weights, DeviceBuffer bias) {
    weights_ = std::move(weights);
    bias_ = std::move(bias);
    QATRT_RETURN_IF_ERROR(d_.init(p).with_context(what_));
    return d_.choose_algorithm(*handle_, p).with_context(what_);
  }

  size_t workspace_bytes() const override { return d_.workspace_bytes; }
  void set_workspace(void* device) override { workspace_ = device; }

  Status run(std::span<const TensorView> in, std::span<const TensorView> out) override {
    if (d_.workspace_bytes > 0 && !workspace_)
      return make_error(StatusCode::kInternal, what_, ": the cuDNN workspace was not set");
    for (size_t i : {size_t{0}, size_t{3}})
      if (i < in.size() && in[i].data && in[i].shape.size() == 4 && in[i].layout != Layout::kNhwc)
        return make_error(StatusCode::kInternal, what_, ": operand ", i, " is not NHWC (device_layout.h)");
    const float one = 1.0f, residual_weight = residual_ ? 1.0f : 0.0f;
    void* y = out[0].data;
    const void* z = residual_ ? in[3].data : y;  // α₂ = 0: z is not read
    return cudnn_status(cudnnConvolutionBiasActivationForward(
                            handle_->get(), &one, d_.x.get(), in[0].data, d_.w.get(), weights_.data(), d_.conv.get(),
                            d_.algorithm, workspace_, d_.workspace_bytes, &residual_weight, d_.y.get(), z,
                            d_.bias.get(), bias_.data(), d_.activation.get(), d_.y.get(), y),
                        what_);
  }

 private:
  std::string what_;
  std::shared_ptr<CudnnHandle> handle_;
  bool residual_;
  Descriptors d_;
  DeviceBuffer weights_, bias_;
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

Status check_float_conv(const Graph& graph, const Node& node) { return plan_float_conv(graph, node).status(); }

KernelOr make_float_conv(const Graph& graph, const Node& node, std::shared_ptr<CudnnHandle> cudnn) {
  QATRT_ASSIGN_OR_RETURN(FloatConvProblem p, plan_float_conv(graph, node));
  DeviceBuffer weights, bias_buffer;
  QATRT_RETURN_IF_ERROR(p.dtype == DType::kFloat16 ? upload_operands<uint16_t>(graph, node, p, weights, bias_buffer)
                                                   : upload_operands<float>(graph, node, p, weights, bias_buffer));
  auto kernel = std::make_unique<FloatConvKernel>(node.describe() + " on cuda (cuDNN)", std::move(cudnn), p.residual);
  QATRT_RETURN_IF_ERROR(kernel->init(p, std::move(weights), std::move(bias_buffer)));
  return std::unique_ptr<Kernel>(std::move(kernel));
}

}  // namespace qatrt::cuda
