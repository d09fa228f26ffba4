// Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Pad, Concat: data movement. Operands that ONNX passes as
// inputs (Reshape's shape, Squeeze/Unsqueeze axes, Pad's pads and constant value) stay inputs and must be
// constants (src/ir/ops.h). Axes are made non-negative: attributes in place, axis inputs by replacing the
// input with a normalised constant.
#include <algorithm>
#include <numeric>

#include "onnx/op_table.h"

namespace qatrt {
namespace {

// A constant int64 1-D operand (shape, axes, pads) as a vector.
StatusOr<std::vector<int64_t>> int64_operand(OnnxNode& node, size_t i, const std::string& role) {
  QATRT_ASSIGN_OR_RETURN(Tensor t, node.constant_input(i, role));
  if (t.dtype() != DType::kInt64 || t.shape().size() != 1)
    return node.error(StatusCode::kInvalidArgument, "input ", i, " (", role, ") must be a 1-D int64 tensor, got ",
                      dtype_name(t.dtype()), shape_to_string(t.shape()));
  return t.to_int64_vector();
}

Status expect_distinct(OnnxNode& node, std::vector<int64_t> axes, const std::string& what) {
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    return node.error(StatusCode::kInvalidArgument, what, " ", ints_to_string(axes), " repeats an axis");
  return {};
}

// Writes normalised axes back as a constant input when normalisation changed them.
void store_axes(OnnxNode& node, size_t i, const std::vector<int64_t>& original, const std::vector<int64_t>& axes) {
  if (original == axes) return;
  node.replace_input_with_constant(i, "axes", Tensor::from_vector<int64_t>({static_cast<int64_t>(axes.size())}, axes));
}

}  // namespace

Status import_flatten(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Flatten has one output"));
  QATRT_ASSIGN_OR_RETURN(int64_t axis, node.attr_int("axis", 1));
  const int64_t rank = node.input_rank(0);
  // Flatten's axis ranges over [-r, r] (axis r puts every dim in the outer factor); negative counts from r.
  if (axis < -rank || axis > rank)
    return node.error(StatusCode::kInvalidArgument, "attribute 'axis' = ", axis, " is out of range [", -rank, ", ",
                      rank, "]");
  if (axis < 0) axis += rank;
  node.node().attrs["axis"] = axis;
  return {};
}

Status import_reshape(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 2));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Reshape has one output"));
  QATRT_ASSIGN_OR_RETURN(auto shape, int64_operand(node, 1, "shape"));
  QATRT_ASSIGN_OR_RETURN(int64_t allowzero, node.attr_int("allowzero", 0));
  if (std::count(shape.begin(), shape.end(), -1) > 1 ||
      std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < -1; }))
    return node.error(StatusCode::kInvalidArgument, "shape ", ints_to_string(shape),
                      " may hold at most one -1 and no other negative value");
  if (allowzero && std::count(shape.begin(), shape.end(), 0) && std::count(shape.begin(), shape.end(), -1))
    return node.error(StatusCode::kInvalidArgument, "shape ", ints_to_string(shape),
                      " mixes 0 and -1 with allowzero=1, which ONNX forbids");
  node.node().attrs["allowzero"] = int64_t{allowzero != 0};
  return {};
}

Status import_transpose(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 1));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Transpose has one output"));
  const int64_t rank = node.input_rank(0);
  std::vector<int64_t> reversed(static_cast<size_t>(rank));
  std::iota(reversed.rbegin(), reversed.rend(), 0);
  QATRT_ASSIGN_OR_RETURN(auto perm, node.attr_ints("perm", reversed));
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(static_cast<size_t>(rank));
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity)
    return node.error(StatusCode::kInvalidArgument, "attribute 'perm' = ", ints_to_string(perm),
                      " is not a permutation of the input's ", rank, " axes");
  node.node().attrs["perm"] = perm;
  return {};
}

Status import_squeeze(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(1, 2));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Squeeze has one output"));
  const Shape& in = node.input(0).shape;
  const int64_t rank = static_cast<int64_t>(in.size());
  if (!node.has_input(1)) {
    // No axes: every size-1 dim goes, which needs every dim known.
    if (!shape_is_static(in))
      return node.error(StatusCode::kUnsupported, "Squeeze without axes on input ", shape_to_string(in),
                        " with a dynamic dim; give Squeeze explicit axes");
    std::vector<int64_t> axes;
    for (int64_t d = 0; d < rank; ++d)
      if (in[d] == 1) axes.push_back(d);
    node.node().inputs.resize(2);
    node.replace_input_with_constant(1, "axes", Tensor::from_vector<int64_t>({static_cast<int64_t>(axes.size())}, axes));
    return {};
  }
  QATRT_ASSIGN_OR_RETURN(auto original, int64_operand(node, 1, "axes"));
  QATRT_ASSIGN_OR_RETURN(auto axes, node.normalize_axes(original, rank, "axes"));
  QATRT_RETURN_IF_ERROR(expect_distinct(node, axes, "axes"));
  for (int64_t axis : axes)
    if (in[axis] != 1 && in[axis] != kDynamicDim)
      return node.error(StatusCode::kInvalidArgument, "cannot squeeze axis ", axis, " of input ",
                        shape_to_string(in), ": its size is not 1");
  store_axes(node, 1, original, axes);
  return {};
}

Status import_unsqueeze(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 2));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Unsqueeze has one output"));
  QATRT_ASSIGN_OR_RETURN(auto original, int64_operand(node, 1, "axes"));
  // Axes index the output, whose rank is the input's plus one per axis.
  const int64_t out_rank = node.input_rank(0) + static_cast<int64_t>(original.size());
  QATRT_ASSIGN_OR_RETURN(auto axes, node.normalize_axes(original, out_rank, "axes"));
  QATRT_RETURN_IF_ERROR(expect_distinct(node, axes, "axes"));
  store_axes(node, 1, original, axes);
  return {};
}

Status import_pad(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 3));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Pad has one output"));
  QATRT_ASSIGN_OR_RETURN(std::string mode, node.attr_string("mode", "constant"));
  if (mode != "constant")
    return node.error(StatusCode::kUnsupported, "attribute 'mode' = '", mode,
                      "' is not supported (only 'constant'); pad with zeros or move the padding into the "
                      "following Conv's pads");
  QATRT_ASSIGN_OR_RETURN(auto pads, int64_operand(node, 1, "pads"));
  const int64_t rank = node.input_rank(0);
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return node.error(StatusCode::kInvalidArgument, "pads ", ints_to_string(pads), " must have ", 2 * rank,
                      " values for input ", shape_to_string(node.input(0).shape));
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; }))
    return node.error(StatusCode::kUnsupported, "pads ", ints_to_string(pads),
                      " has negative values (cropping), which qatrt does not support");
  if (node.has_input(2)) {
    QATRT_ASSIGN_OR_RETURN(Tensor value, node.constant_input(2, "constant_value"));
    if (value.numel() != 1 || value.dtype() != node.input(0).dtype)
      return node.error(StatusCode::kInvalidArgument, "constant_value must be one ", dtype_name(node.input(0).dtype),
                        " value, got ", dtype_name(value.dtype()), shape_to_string(value.shape()));
  }
  node.node().attrs["mode"] = mode;
  return {};
}

Status import_concat(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "Concat has one output"));
  if (node.input_count() == 0) return node.error(StatusCode::kInvalidArgument, "has no inputs");
  for (size_t i = 0; i < node.input_count(); ++i) {
    if (!node.has_input(i)) return node.error(StatusCode::kInvalidArgument, "input ", i, " is empty");
    if (node.input_rank(i) != node.input_rank(0) || node.input(i).dtype != node.input(0).dtype)
      return node.error(StatusCode::kInvalidArgument, "input ", i, " '", node.input(i).name, "' ",
                        dtype_name(node.input(i).dtype), shape_to_string(node.input(i).shape),
                        " does not match input 0 ", dtype_name(node.input(0).dtype),
                        shape_to_string(node.input(0).shape));
  }
  if (!node.has_attr("axis")) return node.error(StatusCode::kInvalidArgument, "attribute 'axis' is required");
  QATRT_ASSIGN_OR_RETURN(int64_t axis, node.attr_int("axis", 0));
  QATRT_ASSIGN_OR_RETURN(axis, node.normalize_axis(axis, node.input_rank(0), "attribute 'axis'"));
  node.node().attrs["axis"] = axis;
  return {};
}

}  // namespace qatrt
