#include "backends/reference/window.h"

#include <algorithm>
#include <string>

namespace qatrt::reference {
namespace {

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

// ONNX output size of one spatial dim. With ceil_mode the last window must start inside the input or the
// begin padding (ONNX and PyTorch drop a window that would start in the end padding).
int64_t output_size(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin,
                    int64_t pad_end, bool ceil_mode) {
  int64_t span = in + pad_begin + pad_end - ((kernel - 1) * dilation + 1);
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? ceil_div(span, stride) : floor_div(span, stride)) + 1;
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

}  // namespace

StatusOr<Window> make_window(const Node& node, const Shape& x_shape, const std::vector<int64_t>& kernel_shape,
                             const Shape& y_shape) {
  size_t spatial = x_shape.size() < 2 ? 0 : x_shape.size() - 2;
  if (spatial < 1 || spatial > 3 || kernel_shape.size() != spatial || y_shape.size() != x_shape.size())
    return make_error(StatusCode::kUnsupported, node.describe(), ": input ", shape_to_string(x_shape),
                      ", kernel ", shape_to_string(kernel_shape), ", output ", shape_to_string(y_shape),
                      "; the reference backend supports 1 to 3 spatial dims with matching ranks");
  auto strides = node.attr_ints("strides", std::vector<int64_t>(spatial, 1));
  auto dilations = node.attr_ints("dilations", std::vector<int64_t>(spatial, 1));
  bool ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  if (strides.size() != spatial || dilations.size() != spatial)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": strides ", shape_to_string(strides),
                      " / dilations ", shape_to_string(dilations), " need ", spatial, " entries");
  std::vector<int64_t> pads = node.attr_ints("pads");
  std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  if (pads.empty() && auto_pad != "NOTSET") {
    // Shape inference normally resolves auto_pad; a graph that skipped it still gets the ONNX rule.
    pads.assign(2 * spatial, 0);
    for (size_t i = 0; i < spatial; ++i) {
      if (auto_pad == "VALID") continue;
      if (auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER")
        return make_error(StatusCode::kUnsupported, node.describe(), ": auto_pad='", auto_pad,
                          "' is not supported; use NOTSET, SAME_UPPER, SAME_LOWER or VALID");
      int64_t in = x_shape[2 + i];
      int64_t target = ceil_div(in, strides[i]);
      int64_t total = std::max<int64_t>(0, (target - 1) * strides[i] + (kernel_shape[i] - 1) * dilations[i] + 1 - in);
      int64_t smaller = total / 2, larger = total - total / 2;
      pads[i] = auto_pad == "SAME_LOWER" ? larger : smaller;
      pads[spatial + i] = auto_pad == "SAME_LOWER" ? smaller : larger;
    }
  }
  if (pads.empty()) pads.assign(2 * spatial, 0);
  if (pads.size() != 2 * spatial)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": pads ", shape_to_string(pads), " need ",
                      2 * spatial, " entries (begins then ends)");

  Window w;
  size_t first = 3 - spatial;  // normalised slot of the first spatial dim
  for (size_t i = 0; i < spatial; ++i) {
    size_t d = first + i;
    w.in[d] = x_shape[2 + i];
    w.kernel[d] = kernel_shape[i];
    w.stride[d] = strides[i];
    w.dilation[d] = dilations[i];
    w.pad_begin[d] = pads[i];
    w.pad_end[d] = pads[spatial + i];
    if (w.kernel[d] < 1 || w.stride[d] < 1 || w.dilation[d] < 1 || w.pad_begin[d] < 0 || w.pad_end[d] < 0)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": kernel ", shape_to_string(kernel_shape),
                        ", strides ", shape_to_string(strides), ", dilations ", shape_to_string(dilations),
                        " must be ≥ 1 and pads ", shape_to_string(pads), " ≥ 0");
    w.out[d] = output_size(w.in[d], w.kernel[d], w.stride[d], w.dilation[d], w.pad_begin[d], w.pad_end[d], ceil_mode);
    if (w.out[d] != y_shape[2 + i])
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": output spatial dim ", i, " is ",
                        y_shape[2 + i], " in the graph but ", w.out[d], " by the ONNX formula (input ",
                        shape_to_string(x_shape), ", kernel ", shape_to_string(kernel_shape), ", pads ",
                        shape_to_string(pads), "); re-run shape inference");
  }
  return w;
}

OutputRange valid_outputs(int64_t in, int64_t out, int64_t stride, int64_t offset) {
  // o·stride + offset ≥ 0  ⇔  o ≥ ceil(−offset / stride);  o·stride + offset ≤ in − 1  ⇔  o ≤ floor((in − 1 − offset) / stride)
  OutputRange r;
  r.begin = std::clamp<int64_t>(ceil_div(-offset, stride), 0, out);
  r.end = std::clamp<int64_t>(floor_div(in - 1 - offset, stride) + 1, r.begin, out);
  return r;
}

StatusOr<ConvShape> make_conv_shape(const Graph& graph, const Node& node) {
  const Shape& x = graph.value(node.inputs[0]).shape;
  const Shape& w = graph.value(node.inputs[1]).shape;
  const Shape& y = graph.value(node.outputs[0]).shape;
  if (x.size() < 3 || w.size() != x.size())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(x), " and weight ",
                      shape_to_string(w), " must have the same rank ≥ 3");
  ConvShape s;
  s.batch = x[0];
  s.in_channels = x[1];
  s.out_channels = w[0];
  s.group = node.attr_int("group", 1);
  if (s.group < 1 || s.in_channels % s.group != 0 || s.out_channels % s.group != 0 ||
      w[1] != s.in_channels / s.group)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(x), ", weight ",
                      shape_to_string(w), " and group ", s.group,
                      " disagree (need C % group == 0, K % group == 0, weight dim 1 == C / group)");
  if (y.size() != x.size() || y[0] != s.batch || y[1] != s.out_channels)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": output ", shape_to_string(y),
                      " does not match input ", shape_to_string(x), " and weight ", shape_to_string(w));
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  if (node.has_attr("kernel_shape") && node.attr_ints("kernel_shape") != kernel)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": kernel_shape ",
                      shape_to_string(node.attr_ints("kernel_shape")), " differs from the weight ", shape_to_string(w));
  QATRT_ASSIGN_OR_RETURN(s.window, make_window(node, x, kernel, y));
  return s;
}

}  // namespace qatrt::reference
