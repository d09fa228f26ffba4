#include "ir/shape_ops.h"

#include <algorithm>

namespace qatrt {

Status broadcast_shapes(const Shape& a, const Shape& b, Shape& out) {
  size_t rank = std::max(a.size(), b.size());
  out.assign(rank, 1);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da == db || db == 1) {
      out[i] = da;
    } else if (da == 1) {
      out[i] = db;
    } else if (da < 0 || db < 0) {
      out[i] = std::max(da, db) > 1 ? std::max(da, db) : kDynamicDim;
    } else {
      return make_error(StatusCode::kInvalidArgument, "shapes ", shape_to_string(a), " and ", shape_to_string(b),
                        " do not broadcast");
    }
  }
  return {};
}

StatusOr<std::vector<int64_t>> constant_ints(const Graph& graph, const Node& node, size_t index) {
  if (index >= node.inputs.size() || node.inputs[index] == kNoValue)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": missing input ", index);
  const Value& v = graph.value(node.inputs[index]);
  if (!v.constant)
    return make_error(StatusCode::kUnsupported, node.describe(), ": input '", v.name,
                      "' must be a constant (an initializer); constant-fold the model first (e.g. onnxsim)");
  return v.constant->to_int64_vector();
}

StatusOr<std::vector<int64_t>> squeeze_axes(const Graph& graph, const Node& node) {
  if (node.inputs.size() > 1 && node.inputs[1] != kNoValue) return constant_ints(graph, node, 1);
  return node.attr_ints("axes");
}

namespace {

int64_t normalize_axis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

Status check_axis(const Node& node, int64_t axis, int64_t rank) {
  if (axis < 0 || axis >= rank)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": axis ", axis, " out of range for rank ", rank);
  return {};
}

Status reshape_shape(const Graph& graph, const Node& node, const Shape& x, Shape& out) {
  QATRT_ASSIGN_OR_RETURN(std::vector<int64_t> target, constant_ints(graph, node, 1));
  bool allowzero = node.attr_int("allowzero", 0) != 0;
  out.assign(target.begin(), target.end());
  int infer_at = -1;
  bool dynamic = false;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == 0 && !allowzero) {
      if (i >= x.size())
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": shape copies dim ", i, " of ",
                          shape_to_string(x));
      out[i] = x[i];
    }
    if (out[i] == -1 && target[i] == -1) {
      if (infer_at >= 0)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": more than one -1 in shape");
      infer_at = static_cast<int>(i);
    } else if (out[i] < 0) {
      dynamic = true;  // copied dynamic batch
    } else {
      known *= out[i];
    }
  }
  int64_t total = shape_numel(x);
  if (infer_at >= 0) {
    if (total < 0 || dynamic) {
      // With a dynamic batch, the inferred dim carries it (e.g. [-1, 2048]) unless a copied dim already does.
      if (dynamic && total < 0) {
        int64_t rest = 1;
        for (size_t i = 1; i < x.size(); ++i) rest *= x[i];
        out[infer_at] = known == 0 ? 0 : rest / known;
      } else {
        out[infer_at] = kDynamicDim;
      }
    } else {
      if (known == 0 || total % known != 0)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": cannot reshape ", shape_to_string(x),
                          " to ", shape_to_string(target));
      out[infer_at] = total / known;
    }
  } else if (total >= 0 && !dynamic && known != total) {
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": cannot reshape ", shape_to_string(x), " (",
                      total, " elements) to ", shape_to_string(out));
  }
  return {};
}

}  // namespace

Status infer_shape_op(const Graph& graph, const Node& node, Shape& out) {
  const Shape& x = graph.value(node.inputs[0]).shape;
  int64_t rank = static_cast<int64_t>(x.size());
  switch (node.op) {
    case Op::kFlatten: {
      int64_t axis = normalize_axis(node.attr_int("axis", 1), rank);
      if (axis < 0 || axis > rank)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": axis out of range for ", shape_to_string(x));
      Shape head(x.begin(), x.begin() + axis), tail(x.begin() + axis, x.end());
      out = {shape_numel(head), shape_numel(tail)};
      return {};
    }
    case Op::kReshape:
      return reshape_shape(graph, node, x, out);
    case Op::kTranspose: {
      std::vector<int64_t> perm = node.attr_ints("perm");
      if (perm.empty())
        for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
      std::vector<int64_t> sorted = perm;
      std::sort(sorted.begin(), sorted.end());
      for (int64_t i = 0; i < rank; ++i)
        if (static_cast<int64_t>(sorted.size()) != rank || sorted[i] != i)
          return make_error(StatusCode::kInvalidArgument, node.describe(), ": perm is not a permutation of rank ", rank);
      out.clear();
      for (int64_t p : perm) out.push_back(x[p]);
      return {};
    }
    case Op::kSqueeze: {
      QATRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, squeeze_axes(graph, node));
      for (auto& a : axes) a = normalize_axis(a, rank);
      out.clear();
      for (int64_t i = 0; i < rank; ++i) {
        bool listed = std::find(axes.begin(), axes.end(), i) != axes.end();
        if (listed && x[i] != 1 && x[i] >= 0)
          return make_error(StatusCode::kInvalidArgument, node.describe(), ": cannot squeeze dim ", i, " of size ",
                            x[i]);
        if (axes.empty() ? x[i] == 1 : listed) continue;
        out.push_back(x[i]);
      }
      return {};
    }
    case Op::kUnsqueeze: {
      QATRT_ASSIGN_OR_RETURN(std::vector<int64_t> axes, squeeze_axes(graph, node));
      int64_t out_rank = rank + static_cast<int64_t>(axes.size());
      for (auto& a : axes) {
        a = normalize_axis(a, out_rank);
        QATRT_RETURN_IF_ERROR(check_axis(node, a, out_rank));
      }
      out.clear();
      size_t next = 0;
      for (int64_t i = 0; i < out_rank; ++i)
        out.push_back(std::find(axes.begin(), axes.end(), i) != axes.end() ? 1 : x[next++]);
      return {};
    }
    case Op::kPad: {
      QATRT_ASSIGN_OR_RETURN(std::vector<int64_t> pads, constant_ints(graph, node, 1));
      if (static_cast<int64_t>(pads.size()) != 2 * rank)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": pads has ", pads.size(),
                          " values, expected ", 2 * rank);
      out = x;
      for (int64_t i = 0; i < rank; ++i)
        if (out[i] >= 0) out[i] += pads[i] + pads[rank + i];
      return {};
    }
    case Op::kConcat: {
      int64_t axis = normalize_axis(node.attr_int("axis", 0), rank);
      QATRT_RETURN_IF_ERROR(check_axis(node, axis, rank));
      out = x;
      for (size_t k = 1; k < node.inputs.size(); ++k) {
        const Shape& y = graph.value(node.inputs[k]).shape;
        if (static_cast<int64_t>(y.size()) != rank)
          return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", k, " has rank ", y.size());
        out[axis] = (out[axis] < 0 || y[axis] < 0) ? kDynamicDim : out[axis] + y[axis];
      }
      return {};
    }
    default:
      return make_error(StatusCode::kInternal, node.describe(), ": not a shape op");
  }
}

}  // namespace qatrt
