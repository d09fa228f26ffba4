// Conv, MaxPool, AveragePool, GlobalAveragePool: the sliding-window ops. Defaults are written out (strides,
// dilations, pads, group), so consumers never need ONNX's defaults. auto_pad: VALID becomes zero pads here;
// SAME_UPPER / SAME_LOWER stay as auto_pad and shape inference (run on each node right after import)
// turns them into explicit pads once the input's spatial size is known.
#include <algorithm>

#include "onnx/op_table.h"

namespace qatrt {
namespace {

struct WindowOptions {
  bool dilations = true;            // AveragePool has none in opset 13
  bool kernel_from_weight = false;  // Conv: kernel_shape is optional, the weight's spatial dims
};

Status check_positive(OnnxNode& node, const std::string& name, const std::vector<int64_t>& values, size_t spatial) {
  if (values.size() != spatial)
    return node.error(StatusCode::kInvalidArgument, "attribute '", name, "' has ", values.size(),
                      " values, the input has ", spatial, " spatial dims");
  for (int64_t v : values)
    if (v < 1)
      return node.error(StatusCode::kInvalidArgument, "attribute '", name, "' = ", ints_to_string(values),
                        " must be positive");
  return {};
}

// Reads kernel_shape, strides, dilations, pads and auto_pad for `spatial` window dims and stores them.
Status import_window(OnnxNode& node, size_t spatial, const std::vector<int64_t>& weight_kernel,
                     const WindowOptions& options) {
  Node& ir = node.node();
  QATRT_ASSIGN_OR_RETURN(auto kernel, node.attr_ints("kernel_shape", weight_kernel));
  if (kernel.empty())
    return node.error(StatusCode::kInvalidArgument, "attribute 'kernel_shape' is required");
  if (options.kernel_from_weight && kernel != weight_kernel &&
      std::none_of(weight_kernel.begin(), weight_kernel.end(), [](int64_t d) { return d < 0; }))
    return node.error(StatusCode::kInvalidArgument, "kernel_shape ", ints_to_string(kernel),
                      " does not match the weight's spatial dims ", shape_to_string(weight_kernel));
  QATRT_RETURN_IF_ERROR(check_positive(node, "kernel_shape", kernel, spatial));
  QATRT_ASSIGN_OR_RETURN(auto strides, node.attr_ints("strides", std::vector<int64_t>(spatial, 1)));
  QATRT_RETURN_IF_ERROR(check_positive(node, "strides", strides, spatial));
  QATRT_ASSIGN_OR_RETURN(auto dilations, node.attr_ints("dilations", std::vector<int64_t>(spatial, 1)));
  QATRT_RETURN_IF_ERROR(check_positive(node, "dilations", dilations, spatial));
  if (!options.dilations && std::any_of(dilations.begin(), dilations.end(), [](int64_t d) { return d != 1; }))
    return node.error(StatusCode::kUnsupported, "attribute 'dilations' = ", ints_to_string(dilations),
                      " is not supported (opset-13 semantics has no dilated average pooling)");

  QATRT_ASSIGN_OR_RETURN(std::string auto_pad, node.attr_string("auto_pad", "NOTSET"));
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" && auto_pad != "VALID")
    return node.error(StatusCode::kUnsupported, "attribute 'auto_pad' = '", auto_pad,
                      "' is not supported; use NOTSET, SAME_UPPER, SAME_LOWER or VALID");
  const bool explicit_pads = node.has_attr("pads");
  QATRT_ASSIGN_OR_RETURN(auto pads, node.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0)));
  if (auto_pad != "NOTSET" && explicit_pads)
    return node.error(StatusCode::kInvalidArgument, "attributes 'pads' and 'auto_pad' = '", auto_pad,
                      "' are both set; ONNX allows only one");
  if (pads.size() != 2 * spatial)
    return node.error(StatusCode::kInvalidArgument, "attribute 'pads' has ", pads.size(), " values, expected ",
                      2 * spatial, " (begin and end per spatial dim)");
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; }))
    return node.error(StatusCode::kUnsupported, "attribute 'pads' = ", ints_to_string(pads),
                      " has negative values; crop with a Slice before the op instead");

  ir.attrs["kernel_shape"] = kernel;
  ir.attrs["strides"] = strides;
  if (options.dilations) ir.attrs["dilations"] = dilations;
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER")
    ir.attrs["auto_pad"] = auto_pad;  // resolved to pads by shape inference
  else
    ir.attrs["pads"] = pads;  // NOTSET, or VALID (= no padding)
  return {};
}

Status expect_window_input(OnnxNode& node) {
  if (node.input_rank(0) < 3)
    return node.error(StatusCode::kInvalidArgument, "input '", node.input(0).name, "' has shape ",
                      shape_to_string(node.input(0).shape), "; expected [N, C, spatial...]");
  return {};
}

}  // namespace

Status import_conv(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 3));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Conv has one output"));
  QATRT_RETURN_IF_ERROR(expect_window_input(node));
  const Shape& weight = node.input(1).shape;
  if (weight.size() != node.input(0).shape.size())
    return node.error(StatusCode::kInvalidArgument, "weight shape ", shape_to_string(weight),
                      " must have the input's rank, input is ", shape_to_string(node.input(0).shape));
  QATRT_ASSIGN_OR_RETURN(int64_t group, node.attr_int("group", 1));
  if (group < 1) return node.error(StatusCode::kInvalidArgument, "attribute 'group' = ", group, " must be ≥ 1");
  node.node().attrs["group"] = group;
  std::vector<int64_t> weight_kernel(weight.begin() + 2, weight.end());
  return import_window(node, weight.size() - 2, weight_kernel, {.dilations = true, .kernel_from_weight = true});
}

Status import_max_pool(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(
      1, "the Indices output is not supported; export MaxPool without return_indices"));
  QATRT_RETURN_IF_ERROR(expect_window_input(node));
  QATRT_RETURN_IF_ERROR(node.attr_must_equal("storage_order", 0, "only row-major indices exist in qatrt"));
  QATRT_ASSIGN_OR_RETURN(int64_t ceil_mode, node.attr_int("ceil_mode", 0));
  node.node().attrs["ceil_mode"] = ceil_mode != 0 ? int64_t{1} : int64_t{0};
  return import_window(node, node.input(0).shape.size() - 2, {}, {.dilations = true});
}

Status import_average_pool(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "AveragePool has one output"));
  QATRT_RETURN_IF_ERROR(expect_window_input(node));
  QATRT_ASSIGN_OR_RETURN(int64_t ceil_mode, node.attr_int("ceil_mode", 0));
  QATRT_ASSIGN_OR_RETURN(int64_t count_include_pad, node.attr_int("count_include_pad", 0));
  node.node().attrs["ceil_mode"] = ceil_mode != 0 ? int64_t{1} : int64_t{0};
  node.node().attrs["count_include_pad"] = count_include_pad != 0 ? int64_t{1} : int64_t{0};
  return import_window(node, node.input(0).shape.size() - 2, {}, {.dilations = false});
}

Status import_global_average_pool(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "GlobalAveragePool has one output"));
  return expect_window_input(node);
}

}  // namespace qatrt
