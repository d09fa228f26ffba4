// MaxPool (float, int8, uint8 — max commutes with quantization), AveragePool and GlobalAveragePool (float),
// ONNX opset 13. Padding never wins a max. AveragePool divides by the number of taps inside the input, or with
// count_include_pad by the taps inside the padded extent [−pad_begin, in + pad_end) (a ceil_mode window that
// reaches past that extent does not count the overhang, as in PyTorch and onnxruntime).
// With exact rounding (attr "exact_rounding", ops.h) AveragePool and GlobalAveragePool also take an int8/uint8
// input (per-tensor): the window mean of the dequantized inputs in double, written int8/uint8 with
// quantize_value_exact or float as (float)mean.
#include <algorithm>
#include <limits>
#include <optional>
#include <type_traits>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"
#include "backends/reference/window.h"
#include "ir/exact_rounding.h"

namespace qatrt::reference {
namespace {

// Calls visit(input offset or -1 for padding, inside padded extent) for every tap of output position (od, oh, ow).
template <typename Visit>
void for_each_tap(const Window& w, int64_t od, int64_t oh, int64_t ow, Visit&& visit) {
  for (int64_t td = 0; td < w.kernel[0]; ++td)
    for (int64_t th = 0; th < w.kernel[1]; ++th)
      for (int64_t tw = 0; tw < w.kernel[2]; ++tw) {
        const int64_t c[3] = {w.input_coordinate(0, od, td), w.input_coordinate(1, oh, th),
                              w.input_coordinate(2, ow, tw)};
        bool inside = true, in_padded = true;
        for (int d = 0; d < 3; ++d) {
          inside = inside && c[d] >= 0 && c[d] < w.in[d];
          in_padded = in_padded && c[d] >= -w.pad_begin[d] && c[d] < w.in[d] + w.pad_end[d];
        }
        visit(inside ? (c[0] * w.in[1] + c[1]) * w.in[2] + c[2] : -1, in_padded);
      }
}

// Runs reduce(plane input, output position) over every (n, c) plane and output position.
template <typename Reduce>
void for_each_output(const Window& w, int64_t planes, Reduce&& reduce) {
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t od = 0; od < w.out[0]; ++od)
      for (int64_t oh = 0; oh < w.out[1]; ++oh)
        for (int64_t ow = 0; ow < w.out[2]; ++ow)
          reduce(p, od, oh, ow, p * w.out_size() + (od * w.out[1] + oh) * w.out[2] + ow);
}

KernelOr make_window_pool(const Graph& graph, const Node& node) {
  const bool max_pool = node.op == Op::kMaxPool;
  if (max_pool)
    QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32, DType::kInt8, DType::kUInt8}));
  else
    QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32}));
  if (max_pool && node.attr_int("storage_order", 0) != 0)
    return make_error(StatusCode::kUnsupported, node.describe(), ": storage_order=1 only affects Indices, which "
                      "the reference backend does not compute");
  const Shape& x = graph.value(node.inputs[0]).shape;
  const Shape& y = graph.value(node.outputs[0]).shape;
  QATRT_ASSIGN_OR_RETURN(Window w, make_window(node, x, node.attr_ints("kernel_shape"), y));
  if (y[0] != x[0] || y[1] != x[1])
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": output ", shape_to_string(y),
                      " must keep N and C of ", shape_to_string(x));
  const int64_t planes = x[0] * x[1];
  const bool count_include_pad = node.attr_int("count_include_pad", 0) != 0;
  const DType type = graph.value(node.inputs[0]).dtype;

  if (max_pool)
    return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
      return visit_dtype(type, [&](auto tag) -> Status {
        using T = decltype(tag);
        const T* px = in[0].as<const T>();
        T* py = out[0].as<T>();
        for_each_output(w, planes, [&](int64_t p, int64_t od, int64_t oh, int64_t ow, int64_t o) {
          T best = std::numeric_limits<T>::lowest();
          for_each_tap(w, od, oh, ow, [&](int64_t offset, bool) {
            if (offset >= 0) best = std::max(best, px[p * w.in_size() + offset]);
          });
          py[o] = best;
        });
        return {};
      });
    });

  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const float* px = in[0].as<const float>();
    float* py = out[0].as<float>();
    for_each_output(w, planes, [&](int64_t p, int64_t od, int64_t oh, int64_t ow, int64_t o) {
      float sum = 0;
      int64_t count = 0;
      for_each_tap(w, od, oh, ow, [&](int64_t offset, bool in_padded) {
        if (offset >= 0) sum += px[p * w.in_size() + offset];
        if (count_include_pad ? in_padded : offset >= 0) ++count;
      });
      py[o] = count > 0 ? sum / static_cast<float>(count) : 0.0f;
    });
    return {};
  });
}

KernelOr make_global_average_pool(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[0], "input", {DType::kFloat32}));
  const Shape& x = graph.value(node.inputs[0]).shape;
  if (x.size() < 3)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(x),
                      " needs spatial dims");
  const int64_t planes = x[0] * x[1];
  const int64_t spatial = shape_numel(x) / planes;
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const float* px = in[0].as<const float>();
    float* py = out[0].as<float>();
    for (int64_t p = 0; p < planes; ++p) {
      float sum = 0;
      for (int64_t i = 0; i < spatial; ++i) sum += px[p * spatial + i];
      py[p] = sum / static_cast<float>(spatial);
    }
    return {};
  });
}

// GlobalAveragePool as a window covering the spatial dims, flattened into one.
Window global_window(const Shape& x) {
  Window w;
  w.in[2] = w.kernel[2] = shape_numel(x) / (x[0] * x[1]);
  return w;
}

// What an exact quantized average pool computes with, read from the node at creation.
struct ExactAverage {
  Window window;
  int64_t planes = 0;
  bool count_include_pad = false;
  QuantParams in_q;
  std::optional<QuantParams> out_q;  // none for a float output
  DType out_type = DType::kFloat32;

  template <typename In, typename Out>
  void run(const TensorView& x, const TensorView& y) const {
    const In* px = x.as<const In>();
    Out* py = y.as<Out>();
    for_each_output(window, planes, [&](int64_t p, int64_t od, int64_t oh, int64_t ow, int64_t o) {
      double sum = 0;  // exact: each term is a 9-bit integer times a float scale
      int64_t count = 0;
      for_each_tap(window, od, oh, ow, [&](int64_t offset, bool in_padded) {
        if (offset >= 0)
          sum += dequantize_value_exact(px[p * window.in_size() + offset], in_q.scales[0], in_q.zero_points[0]);
        if (count_include_pad ? in_padded : offset >= 0) ++count;
      });
      const double mean = count > 0 ? sum / static_cast<double>(count) : 0.0;
      if constexpr (std::is_same_v<Out, float>)
        py[o] = static_cast<float>(mean);
      else
        py[o] = static_cast<Out>(quantize_value_exact(mean, out_q->scales[0], out_q->zero_points[0], out_type));
    });
  }

  template <typename In>
  void run_from(const TensorView& x, const TensorView& y) const {
    switch (out_type) {
      case DType::kInt8: return run<In, int8_t>(x, y);
      case DType::kUInt8: return run<In, uint8_t>(x, y);
      default: return run<In, float>(x, y);
    }
  }
};

KernelOr make_exact_quantized_average(const Graph& graph, const Node& node) {
  const ValueId x = node.inputs[0], y = node.outputs[0];
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, y, "output", {DType::kFloat32, DType::kInt8, DType::kUInt8}));
  ExactAverage avg;
  QATRT_ASSIGN_OR_RETURN(avg.in_q, operand_quant(graph, node, x, "input"));
  avg.out_type = graph.value(y).dtype;
  if (is_quantized_type(avg.out_type)) {
    QATRT_ASSIGN_OR_RETURN(avg.out_q, operand_quant(graph, node, y, "output"));
  }
  if (avg.in_q.per_axis() || (avg.out_q && avg.out_q->per_axis()))
    return make_error(StatusCode::kUnsupported, node.describe(), ": a quantized average pool is per-tensor, got ",
                      avg.in_q.scales.size(), " input and ", avg.out_q ? avg.out_q->scales.size() : 0,
                      " output scales");
  const Shape& xs = graph.value(x).shape;
  const Shape& ys = graph.value(y).shape;
  if (xs.size() < 3 || ys.size() != xs.size() || ys[0] != xs[0] || ys[1] != xs[1])
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(xs), " and output ",
                      shape_to_string(ys), " need spatial dims and the same N and C");
  avg.window = global_window(xs);
  if (node.op == Op::kAveragePool) {
    QATRT_ASSIGN_OR_RETURN(avg.window, make_window(node, xs, node.attr_ints("kernel_shape"), ys));
  }
  avg.planes = xs[0] * xs[1];
  avg.count_include_pad = node.attr_int("count_include_pad", 0) != 0;
  const bool int8_input = graph.value(x).dtype == DType::kInt8;
  return make_kernel([avg, int8_input](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    if (int8_input)
      avg.run_from<int8_t>(in[0], out[0]);
    else
      avg.run_from<uint8_t>(in[0], out[0]);
    return {};
  });
}

}  // namespace

KernelOr make_pool_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, 1, 1));
  if (node.op != Op::kMaxPool && exact_rounding(node) && is_quantized_type(graph.value(node.inputs[0]).dtype))
    return make_exact_quantized_average(graph, node);
  if (graph.value(node.outputs[0]).dtype != graph.value(node.inputs[0]).dtype)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": output dtype ",
                      dtype_name(graph.value(node.outputs[0]).dtype), " differs from the input's");
  if (node.op == Op::kGlobalAveragePool) return make_global_average_pool(graph, node);
  return make_window_pool(graph, node);
}

}  // namespace qatrt::reference
