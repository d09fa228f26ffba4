// Pad (ONNX opset 13), any dtype: pads = [begin_0, …, begin_{r−1}, end_0, …, end_{r−1}] (negative values crop),
// modes constant (with constant_value, default 0), reflect (mirror without repeating the edge) and edge.
// In quantized graphs constant_value is an integer of the data's type, used as given (propagate_qdq only
// moves a Pad across Q/DQ when it equals the zero point). pads / constant_value must be constants; the
// attributes of opset < 11 are accepted when the inputs are absent.
#include <string>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {

KernelOr make_pad_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 1, 3, 1));
  const Value& x = graph.value(node.inputs[0]);
  const Shape& y = graph.value(node.outputs[0]).shape;
  const size_t rank = x.shape.size();
  std::vector<int64_t> pads = node.attr_ints("pads");
  if (has_input(node, 1)) {
    QATRT_ASSIGN_OR_RETURN(Tensor t, constant_input(graph, node, 1, "pads"));
    pads = t.to_int64_vector();
  }
  double value = node.attr_float("value", 0.0f);
  if (has_input(node, 2)) {
    QATRT_ASSIGN_OR_RETURN(Tensor t, constant_input(graph, node, 2, "constant_value"));
    if (t.numel() != 1)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": constant_value must be a scalar");
    value = t.as_double(0);
  }
  const std::string mode = node.attr_string("mode", "constant");
  if (mode != "constant" && mode != "reflect" && mode != "edge")
    return make_error(StatusCode::kUnsupported, node.describe(), ": mode '", mode,
                      "' is not supported; use constant, reflect or edge");
  bool valid = pads.size() == 2 * rank && y.size() == rank && graph.value(node.outputs[0]).dtype == x.dtype;
  for (size_t d = 0; valid && d < rank; ++d) {
    valid = y[d] == x.shape[d] + pads[d] + pads[rank + d];
    // reflect / edge read the input, so it must not be empty along a padded dim.
    if (mode != "constant" && (pads[d] > 0 || pads[rank + d] > 0)) valid = valid && x.shape[d] > 0;
    if (mode == "reflect" && (pads[d] >= x.shape[d] || pads[rank + d] >= x.shape[d])) valid = false;
  }
  if (!valid)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": pads ", shape_to_string(pads), " (mode ",
                      mode, ") do not map ", shape_to_string(x.shape), " to ", shape_to_string(y),
                      "; reflect needs pads smaller than the dim");
  const Shape x_shape = x.shape;
  const std::vector<int64_t> x_strides = row_major_strides(x_shape);
  const DType type = x.dtype;

  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    return visit_dtype(type, [&](auto tag) -> Status {
      using T = decltype(tag);
      const T* px = in[0].as<const T>();
      T* py = out[0].as<T>();
      const T fill = static_cast<T>(value);
      for (int64_t o = 0; o < out[0].numel(); ++o) {
        int64_t rest = o, offset = 0;
        bool outside = false;
        for (size_t d = rank; d-- > 0;) {
          const int64_t n = x_shape[d];
          int64_t i = rest % y[d] - pads[d];
          rest /= y[d];
          if (i < 0 || i >= n) {
            if (mode == "constant") outside = true;
            else if (mode == "edge") i = i < 0 ? 0 : n - 1;
            else i = i < 0 ? -i : 2 * (n - 1) - i;
          }
          offset += i * x_strides[d];
        }
        py[o] = outside ? fill : px[offset];
      }
      return {};
    });
  });
}

}  // namespace qatrt::reference
