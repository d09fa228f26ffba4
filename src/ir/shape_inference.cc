#include "ir/shape_inference.h"

#include <algorithm>
#include <numeric>

#include "ir/shape_ops.h"

namespace qatrt {
namespace {

// Output dim of a sliding window (conv/pool), ONNX formula; dynamic stays dynamic.
int64_t window_out(int64_t in, int64_t kernel, int64_t stride, int64_t dilation, int64_t pad_begin, int64_t pad_total,
                   bool ceil_mode) {
  if (in < 0) return kDynamicDim;
  int64_t effective = dilation * (kernel - 1) + 1;
  int64_t span = in + pad_total - effective;
  if (span < 0) return 0;
  int64_t out = ceil_mode ? (span + stride - 1) / stride + 1 : span / stride + 1;
  // ONNX (and PyTorch): with ceil_mode the last window must start inside the input or left padding.
  if (ceil_mode && (out - 1) * stride >= in + pad_begin) --out;
  return out;
}

Status window_shape(Graph& graph, Node& node, const Shape& x, const std::vector<int64_t>& kernel, int64_t out_channels,
                    Shape& out) {
  size_t spatial = x.size() - 2;
  if (kernel.size() != spatial)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": kernel rank ", kernel.size(),
                      " does not match input ", shape_to_string(x), "; check kernel_shape / weight shape");
  auto strides = node.attr_ints("strides", std::vector<int64_t>(spatial, 1));
  auto dilations = node.attr_ints("dilations", std::vector<int64_t>(spatial, 1));
  std::string auto_pad = node.attr_string("auto_pad", "NOTSET");
  bool ceil_mode = node.attr_int("ceil_mode", 0) != 0;
  if (strides.size() != spatial || dilations.size() != spatial)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": strides/dilations must have ", spatial,
                      " elements");
  std::vector<int64_t> pads = node.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  if (auto_pad != "NOTSET") {
    bool known = std::all_of(x.begin() + 2, x.end(), [](int64_t d) { return d >= 0; });
    if (!known)
      return make_error(StatusCode::kUnsupported, node.describe(), ": auto_pad=", auto_pad,
                        " needs known spatial dims, got ", shape_to_string(x), "; give the model a fixed input size");
    for (size_t i = 0; i < spatial; ++i) {
      int64_t in = x[2 + i];
      int64_t total = 0;
      if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
        int64_t target = (in + strides[i] - 1) / strides[i];
        total = std::max<int64_t>(0, (target - 1) * strides[i] + dilations[i] * (kernel[i] - 1) + 1 - in);
      } else if (auto_pad != "VALID") {
        return make_error(StatusCode::kUnsupported, node.describe(), ": auto_pad='", auto_pad,
                          "' is not supported; use NOTSET, SAME_UPPER, SAME_LOWER or VALID");
      }
      int64_t small = total / 2, large = total - total / 2;
      pads[i] = auto_pad == "SAME_LOWER" ? large : small;
      pads[spatial + i] = auto_pad == "SAME_LOWER" ? small : large;
    }
    // Resolved once shapes are known, so every backend sees explicit pads.
    node.attrs["pads"] = pads;
    node.attrs["auto_pad"] = std::string("NOTSET");
  }
  if (pads.size() != 2 * spatial)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": pads must have ", 2 * spatial, " elements");
  out = {x[0], out_channels};
  for (size_t i = 0; i < spatial; ++i)
    out.push_back(window_out(x[2 + i], kernel[i], strides[i], dilations[i], pads[i], pads[i] + pads[spatial + i],
                              ceil_mode));
  (void)graph;
  return {};
}

Status infer_conv(Graph& graph, Node& node, Shape& out) {
  const Shape& x = graph.value(node.inputs[0]).shape;
  const Shape& w = graph.value(node.inputs[1]).shape;
  if (x.size() < 3 || w.size() != x.size())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(x), " and weight ",
                      shape_to_string(w), " must have the same rank ≥ 3");
  int64_t group = node.attr_int("group", 1);
  if (x[1] >= 0 && w[1] * group != x[1])
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input channels ", x[1], " != weight C/g ",
                      w[1], " × group ", group);
  std::vector<int64_t> kernel(w.begin() + 2, w.end());
  return window_shape(graph, node, x, kernel, w[0], out);
}

Status infer_pool(Graph& graph, Node& node, Shape& out) {
  const Shape& x = graph.value(node.inputs[0]).shape;
  if (x.size() < 3) return make_error(StatusCode::kInvalidArgument, node.describe(), ": input must be rank ≥ 3");
  auto kernel = node.attr_ints("kernel_shape");
  if (kernel.empty()) return make_error(StatusCode::kInvalidArgument, node.describe(), ": kernel_shape is required");
  return window_shape(graph, node, x, kernel, x[1], out);
}

Status infer_gemm(Graph& graph, Node& node, Shape& out) {
  const Shape& a = graph.value(node.inputs[0]).shape;
  const Shape& b = graph.value(node.inputs[1]).shape;
  if (a.size() != 2 || b.size() != 2)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": A ", shape_to_string(a), " and B ",
                      shape_to_string(b), " must be 2-D; insert a Flatten");
  bool fused = node.op == Op::kFusedGemm || node.op == Op::kQGemm;  // weight stored [N,K]
  bool ta = !fused && node.attr_int("transA", 0);
  bool tb = fused || node.attr_int("transB", 0);
  int64_t m = ta ? a[1] : a[0], k = ta ? a[0] : a[1];
  int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
  if (k >= 0 && kb >= 0 && k != kb)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": inner dimensions differ: A ",
                      shape_to_string(a), ", B ", shape_to_string(b));
  out = {m, n};
  return {};
}

Status infer_matmul(Graph& graph, Node& node, Shape& out) {
  Shape a = graph.value(node.inputs[0]).shape;
  Shape b = graph.value(node.inputs[1]).shape;
  if (a.empty() || b.empty()) return make_error(StatusCode::kInvalidArgument, node.describe(), ": scalar operand");
  bool a_vec = a.size() == 1, b_vec = b.size() == 1;
  if (a_vec) a.insert(a.begin(), 1);
  if (b_vec) b.push_back(1);
  int64_t k = a.back(), kb = b[b.size() - 2];
  if (k >= 0 && kb >= 0 && k != kb)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": inner dimensions differ: ", shape_to_string(a),
                      " × ", shape_to_string(b));
  Shape batch_a(a.begin(), a.end() - 2), batch_b(b.begin(), b.end() - 2), batch;
  QATRT_RETURN_IF_ERROR(broadcast_shapes(batch_a, batch_b, batch).with_context(node.describe()));
  out = batch;
  if (!a_vec) out.push_back(a[a.size() - 2]);
  if (!b_vec) out.push_back(b.back());
  return {};
}

// Quant params of a data-movement op's output: the input's, with the axis moved where the op moves it.
std::optional<QuantParams> carried_quant(const Graph& graph, const Node& node) {
  const Value& in = graph.value(node.inputs[0]);
  if (!in.quant) return std::nullopt;
  QuantParams q = *in.quant;
  if (q.per_axis() && node.op == Op::kTranspose) {
    auto perm = node.attr_ints("perm");
    auto it = std::find(perm.begin(), perm.end(), q.axis);
    if (it != perm.end()) q.axis = it - perm.begin();
  }
  return q;
}

Status infer_one(Graph& graph, Node& node) {
  auto in_shape = [&](size_t i) -> const Shape& { return graph.value(node.inputs[i]).shape; };
  auto in_dtype = [&](size_t i) { return graph.value(node.inputs[i]).dtype; };
  if (node.inputs.empty() || node.inputs[0] == kNoValue || node.outputs.empty())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": needs at least one input and output");
  Shape out = in_shape(0);
  DType dtype = in_dtype(0);
  std::optional<QuantParams> quant;
  bool keep_output_type = false;  // fused quantized ops: the pass that made them set dtype/quant
  switch (node.op) {
    case Op::kConv:
    case Op::kFusedConv:
      QATRT_RETURN_IF_ERROR(infer_conv(graph, node, out));
      dtype = in_dtype(0) == DType::kFloat16 ? DType::kFloat16 : DType::kFloat32;  // FusedConv on float16: --fp16
      break;
    case Op::kQConv:
      QATRT_RETURN_IF_ERROR(infer_conv(graph, node, out));
      keep_output_type = true;
      break;
    case Op::kGemm:
    case Op::kFusedGemm:
      QATRT_RETURN_IF_ERROR(infer_gemm(graph, node, out));
      dtype = in_dtype(0) == DType::kFloat16 ? DType::kFloat16 : DType::kFloat32;
      break;
    case Op::kQGemm:
      QATRT_RETURN_IF_ERROR(infer_gemm(graph, node, out));
      keep_output_type = true;
      break;
    case Op::kMatMul:
      QATRT_RETURN_IF_ERROR(infer_matmul(graph, node, out));
      break;
    case Op::kAdd:
    case Op::kSub:
    case Op::kMul:
    case Op::kDiv:
      if (node.inputs.size() != 2 || node.inputs[1] == kNoValue)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": needs two inputs");
      QATRT_RETURN_IF_ERROR(broadcast_shapes(in_shape(0), in_shape(1), out).with_context(node.describe()));
      break;
    case Op::kRelu:
    case Op::kClip:
    case Op::kIdentity:
    case Op::kSoftmax:
    case Op::kBatchNormalization:
      quant = graph.value(node.inputs[0]).quant;
      break;
    case Op::kMaxPool:
      QATRT_RETURN_IF_ERROR(infer_pool(graph, node, out));
      quant = carried_quant(graph, node);
      break;
    case Op::kAveragePool:
      QATRT_RETURN_IF_ERROR(infer_pool(graph, node, out));
      break;
    case Op::kGlobalAveragePool:
      for (size_t i = 2; i < out.size(); ++i) out[i] = 1;
      break;
    case Op::kFlatten:
    case Op::kReshape:
    case Op::kTranspose:
    case Op::kSqueeze:
    case Op::kUnsqueeze:
    case Op::kPad:
    case Op::kConcat:
      QATRT_RETURN_IF_ERROR(infer_shape_op(graph, node, out));
      quant = carried_quant(graph, node);
      break;
    case Op::kQuantizeLinear: {
      dtype = static_cast<DType>(node.attr_int("output_dtype", static_cast<int64_t>(DType::kUInt8)));
      if (!is_quantized_type(dtype))
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": output_dtype must be int8 or uint8, got ",
                          dtype_name(dtype));
      quant = QuantParams{node.attr_floats("scale"), node.attr_ints("zero_point"), node.attr_int("axis", 1)};
      break;
    }
    case Op::kDequantizeLinear:
      dtype = DType::kFloat32;
      break;
    case Op::kRequantize:
      keep_output_type = true;
      break;
    case Op::kCast:
      dtype = static_cast<DType>(node.attr_int("to", static_cast<int64_t>(DType::kFloat32)));
      if (dtype != DType::kFloat32 && dtype != DType::kFloat16)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": Cast to ", dtype_name(dtype),
                          " (qatrt casts between float32 and float16 only)");
      break;
    case Op::kCount:
      return make_error(StatusCode::kInternal, node.describe(), ": invalid op");
  }
  Value& result = graph.value(node.outputs[0]);
  result.shape = out;
  if (!keep_output_type) {
    result.dtype = dtype;
    if (is_quantized_type(dtype) && quant) result.quant = quant;
    if (!is_quantized_type(dtype)) result.quant.reset();
  }
  return {};
}

}  // namespace

Status infer_node_shapes(Graph& graph, Node& node) { return infer_one(graph, node); }

Status infer_shapes(Graph& graph) {
  for (auto& node : graph.nodes) QATRT_RETURN_IF_ERROR(infer_one(graph, node));
  return {};
}

}  // namespace qatrt
