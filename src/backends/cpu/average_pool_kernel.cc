// AveragePool and GlobalAveragePool, NHWC: for each output pixel the window is summed with the channel loop
// innermost (it vectorizes), in float for float inputs and exactly in int32 for quantized ones:
//     y = Σ (q − z_x) · s_x / divisor        (padding contributes 0, i.e. q = z_x)
// then y is written as float or quantized with the output's parameters (round half to even, core/quant.h).
// divisor: with count_include_pad the window clipped to the padded input (so ceil_mode's extra area beyond the
// end padding is not counted, as in ONNX Runtime and PyTorch), else the number of input pixels in the window.
// With exact rounding (attr "exact_rounding", ops.h) a quantized input's y is formed in double, a true division by
// the divisor, and quantized with quantize_value_exact (or written as (float)y): the window mean of the
// dequantized inputs in double, since Σ (q − z_x) · s_x is exact in double.
#include <algorithm>
#include <optional>
#include <type_traits>
#include <vector>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dnnl_util.h"
#include "core/quant.h"
#include "ir/exact_rounding.h"

namespace qatrt::cpu {
namespace {

struct AverageWindow {
  int64_t kernel[2], strides[2], pad_begin[2], pad_end[2];
  bool count_include_pad = false;
};

AverageWindow average_window(const Graph& graph, const Node& node) {
  AverageWindow win;
  if (node.op == Op::kGlobalAveragePool) {
    const Shape& x = graph.value(node.inputs[0]).shape;
    win = {{x[2], x[3]}, {1, 1}, {0, 0}, {0, 0}, false};
    return win;
  }
  auto kernel = node.attr_ints("kernel_shape");
  auto strides = node.attr_ints("strides", {1, 1});
  auto pads = node.attr_ints("pads", {0, 0, 0, 0});
  for (int i = 0; i < 2; ++i) {
    win.kernel[i] = kernel[i];
    win.strides[i] = strides[i];
    win.pad_begin[i] = pads[i];
    win.pad_end[i] = pads[i + 2];
  }
  win.count_include_pad = node.attr_int("count_include_pad", 0) != 0;
  return win;
}

// How a window's sum becomes a float average: float inputs as they are, quantized ones dequantized.
struct InputQuant {
  float scale = 1.f;
  int32_t zero_point = 0;
};

template <bool Exact, typename In, typename Acc, typename Out>
void average_pool_nhwc(const In* x, Out* y, const Shape& in, const Shape& out, const AverageWindow& win,
                       InputQuant iq, const QuantParams* out_quant, DType out_type) {
  const int64_t N = in[0], C = in[1], H = in[2], W = in[3], OH = out[2], OW = out[3];
#pragma omp parallel
  {
    std::vector<Acc> acc(static_cast<size_t>(C));
#pragma omp for collapse(3) schedule(static)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t oh = 0; oh < OH; ++oh)
        for (int64_t ow = 0; ow < OW; ++ow) {
          const int64_t h0 = oh * win.strides[0] - win.pad_begin[0], w0 = ow * win.strides[1] - win.pad_begin[1];
          const int64_t h_end_padded = std::min(h0 + win.kernel[0], H + win.pad_end[0]);
          const int64_t w_end_padded = std::min(w0 + win.kernel[1], W + win.pad_end[1]);
          const int64_t hs = std::max<int64_t>(h0, 0), he = std::min(h_end_padded, H);
          const int64_t ws = std::max<int64_t>(w0, 0), we = std::min(w_end_padded, W);
          const int64_t count = (he - hs) * (we - ws);
          const int64_t divisor = win.count_include_pad ? (h_end_padded - h0) * (w_end_padded - w0) : count;
          std::fill(acc.begin(), acc.end(), Acc(0));
          for (int64_t h = hs; h < he; ++h)
            for (int64_t w = ws; w < we; ++w) {
              const In* px = x + ((n * H + h) * W + w) * C;
              for (int64_t c = 0; c < C; ++c) acc[c] += static_cast<Acc>(px[c]);
            }
          Out* py = y + ((n * OH + oh) * OW + ow) * C;
          const Acc offset = static_cast<Acc>(count * iq.zero_point);
          using Real = std::conditional_t<Exact, double, float>;
          for (int64_t c = 0; c < C; ++c) {
            const Real avg =
                static_cast<Real>(acc[c] - offset) * static_cast<Real>(iq.scale) / static_cast<Real>(divisor);
            if (!out_quant) {
              py[c] = static_cast<Out>(avg);
            } else if constexpr (Exact) {
              py[c] = static_cast<Out>(
                  quantize_value_exact(avg, out_quant->scales[0], out_quant->zero_points[0], out_type));
            } else {
              py[c] = static_cast<Out>(
                  quantize_value(avg, out_quant->scales[0], out_quant->zero_points[0], out_type));
            }
          }
        }
  }
}

class AveragePoolKernel final : public Kernel {
 public:
  AveragePoolKernel(const Graph& graph, const Node& node)
      : node_(node.describe()), window_(average_window(graph, node)), exact_(exact_rounding(node)) {
    const Value& x = graph.value(node.inputs[0]);
    const Value& y = graph.value(node.outputs[0]);
    in_type_ = x.dtype;
    out_type_ = y.dtype;
    if (x.quant) input_quant_ = {x.quant->scales[0], static_cast<int32_t>(x.quant->zero_points[0])};
    if (is_quantized_type(y.dtype)) output_quant_ = *y.quant;
  }

  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    const TensorView& x = inputs[0];
    const TensorView& y = outputs[0];
    QATRT_RETURN_IF_ERROR(expect_layout(x, Layout::kNhwc, node_, "input"));
    QATRT_RETURN_IF_ERROR(expect_layout(y, Layout::kNhwc, node_, "output"));
    switch (in_type_) {
      case DType::kFloat32:
        average_pool_nhwc<false, float, float>(x.as<float>(), y.as<float>(), x.shape, y.shape, window_, {}, nullptr,
                                        out_type_);
        return {};
      case DType::kInt8: return run_quantized(x.as<int8_t>(), x.shape, y);
      case DType::kUInt8: return run_quantized(x.as<uint8_t>(), x.shape, y);
      default: return make_error(StatusCode::kInternal, node_, ": unexpected input type");
    }
  }

 private:
  template <typename In>
  Status run_quantized(const In* x, const Shape& in, const TensorView& y) {
    const QuantParams* oq = output_quant_ ? &*output_quant_ : nullptr;
    switch (out_type_) {
      case DType::kFloat32: run_quantized_to(x, y.as<float>(), in, y.shape, nullptr); return {};
      case DType::kInt8: run_quantized_to(x, y.as<int8_t>(), in, y.shape, oq); return {};
      case DType::kUInt8: run_quantized_to(x, y.as<uint8_t>(), in, y.shape, oq); return {};
      default: return make_error(StatusCode::kInternal, node_, ": unexpected output type");
    }
  }

  template <typename In, typename Out>
  void run_quantized_to(const In* x, Out* y, const Shape& in, const Shape& out, const QuantParams* oq) {
    if (exact_)
      average_pool_nhwc<true, In, int32_t>(x, y, in, out, window_, input_quant_, oq, out_type_);
    else
      average_pool_nhwc<false, In, int32_t>(x, y, in, out, window_, input_quant_, oq, out_type_);
  }

  std::string node_;
  AverageWindow window_;
  bool exact_;  // a quantized input is averaged in double (see the top of the file)
  DType in_type_ = DType::kFloat32, out_type_ = DType::kFloat32;
  InputQuant input_quant_;
  std::optional<QuantParams> output_quant_;
};

Status supports_average_pool(const Graph& graph, const Node& node) {
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (node.inputs.size() != 1 || node.outputs.size() != 1 || x.shape.size() != 4 || !shape_is_static(x.shape))
    return make_error(StatusCode::kUnsupported, node.describe(), ": needs one concrete 4-D input, got ",
                      shape_to_string(x.shape));
  if (x.dtype != DType::kFloat32 && !is_quantized_type(x.dtype))
    return make_error(StatusCode::kUnsupported, node.describe(), ": input type ", dtype_name(x.dtype),
                      " is not supported (float32, int8, uint8)");
  if (is_quantized_type(x.dtype) && (!x.quant || x.quant->per_axis()))
    return make_error(StatusCode::kUnsupported, node.describe(), ": quantized input '", x.name,
                      "' needs per-tensor quantization parameters");
  if (is_quantized_type(y.dtype) && (!y.quant || y.quant->per_axis()))
    return make_error(StatusCode::kUnsupported, node.describe(), ": quantized output '", y.name,
                      "' needs per-tensor quantization parameters");
  if (y.dtype != DType::kFloat32 && !(is_quantized_type(y.dtype) && is_quantized_type(x.dtype)))
    return make_error(StatusCode::kUnsupported, node.describe(), ": ", dtype_name(x.dtype), " → ",
                      dtype_name(y.dtype), " is not supported");
  if (node.op == Op::kGlobalAveragePool) return {};
  if (node.attr_string("auto_pad", "NOTSET") != "NOTSET")
    return make_error(StatusCode::kUnsupported, node.describe(), ": auto_pad must be resolved into pads by shape "
                      "inference first");
  auto kernel = node.attr_ints("kernel_shape");
  auto strides = node.attr_ints("strides", {1, 1});
  auto pads = node.attr_ints("pads", {0, 0, 0, 0});
  auto dilations = node.attr_ints("dilations", {1, 1});
  if (kernel.size() != 2 || strides.size() != 2 || pads.size() != 4)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": kernel_shape/strides need 2 values, pads 4");
  if (dilations != std::vector<int64_t>{1, 1})
    return make_error(StatusCode::kUnsupported, node.describe(), ": dilated AveragePool is not supported");
  for (int i = 0; i < 2; ++i)
    if (pads[i] >= kernel[i] || pads[i + 2] >= kernel[i])
      return make_error(StatusCode::kUnsupported, node.describe(), ": padding ", pads[i], "/", pads[i + 2],
                        " is not smaller than the kernel ", kernel[i], "; such windows see no input");
  return {};
}

StatusOr<std::unique_ptr<Kernel>> create_average_pool(const dnnl::engine&, const Graph& graph, const Node& node) {
  return std::unique_ptr<Kernel>(new AveragePoolKernel(graph, node));
}

}  // namespace

const KernelFamily kAveragePoolFamily = {supports_average_pool, LayoutPolicy::kNhwc, create_average_pool};

}  // namespace qatrt::cpu
