// fuse_conv_epilogue: a Conv with its quantized operands and its epilogue becomes one QConv (or FusedConv).
//
// Quantized (numbered like ONNX Runtime's QDQ selectors):
//   0 = DQ x     int8/uint8 activation, per-tensor, DQ params = x's Value::quant
//   1 = DQ w     int8 constant, per-channel along axis 0 (or per-tensor), zero points 0, params = w's quant
//   2 = bias     float constant [K] or DQ of an int32 constant (optional)
//   3 = Conv
//   4 = Add(·, residual)   optional; residual = DQ(r) of an int8 activation → QConv reads r, else the float value
//   5 = Relu               optional, after the Add
//   6 = Q                  optional, per-tensor → QConv writes int8/uint8 with the Q's params, else float
//   ⇒ QConv(x_q, w_q, bias, residual), ops.h:
//      acc[k] = Σ (q_x − z_x)·q_w                 (int32, exact)
//      y[k]   = relu?(acc[k]·s_x·s_w[k] + bias[k] + residual)
//      out    = Q(y) or y
//   The same value the unfused graph computes: conv(DQ(x), DQ(w))[k] = Σ (q_x − z_x)·s_x · q_w·s_w[k]
//   = acc[k]·s_x·s_w[k] since z_w = 0; the fused kernel sums integers exactly instead of rounding floats.
//
// Float (after the quantized sweep, for the convs it left):
//   Conv(x, W float constant, bias?) (→ Add(·, residual)) (→ Relu)  ⇒  FusedConv(x, W, bias, residual)
//      y = relu?(conv(x, W) + bias + residual)
// A conv whose weight is still a DQ (zero point ≠ 0, wrong axis, float input…) is left alone: its weight is
// never dequantized back to float in int8 mode. assign_precision reports why it stayed float.
#include "passes/epilogue_match.h"
#include "passes/exact_epilogue.h"
#include "passes/fusion_checks.h"
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

// Conv attributes with ONNX defaults made explicit (shape inference already resolved auto_pad into pads).
void copy_conv_attrs(const Graph& graph, const Node& conv, Node& fused) {
  size_t spatial = graph.value(conv.inputs[1]).shape.size() - 2;
  fused.attrs["strides"] = conv.attr_ints("strides", std::vector<int64_t>(spatial, 1));
  fused.attrs["pads"] = conv.attr_ints("pads", std::vector<int64_t>(2 * spatial, 0));
  fused.attrs["dilations"] = conv.attr_ints("dilations", std::vector<int64_t>(spatial, 1));
  fused.attrs["group"] = conv.attr_int("group", 1);
}

// The bias operand: the conv's float [K] constant as is, else a new constant from bias_vector.
ValueId bias_operand(Graph& graph, const GraphIndex& index, const Node& conv) {
  if (conv.inputs.size() < 3 || conv.inputs[2] == kNoValue) return kNoValue;
  ValueId bias = conv.inputs[2];
  int64_t channels = graph.value(conv.inputs[1]).shape[0];
  const Value& b = graph.value(bias);
  if (b.constant && b.dtype == DType::kFloat32 && b.shape == Shape{channels}) return bias;
  return graph.add_constant(graph.unique_name(conv.name + "_bias"), *bias_vector(graph, index, bias, channels, 1.0));
}

bool fuse_quantized(Graph& graph, const GraphIndex& index, int c, PassContext& context) {
  const Node conv = graph.nodes[static_cast<size_t>(c)];
  if (conv.op != Op::kConv || !why_conv_not_int8(graph, index, conv).empty()) return false;
  const Node dq_x = *index.producer_if(conv.inputs[0], Op::kDequantizeLinear);
  const Node dq_w = *index.producer_if(conv.inputs[1], Op::kDequantizeLinear);
  EpilogueMatch epilogue = match_epilogue(graph, index, c, /*quantized=*/true);

  Node fused{.name = conv.name, .op = Op::kQConv};
  fused.inputs = {dq_x.inputs[0], dq_w.inputs[0], bias_operand(graph, index, conv)};
  copy_conv_attrs(graph, conv, fused);
  if (context.exact_rounding) {
    const int64_t channels = graph.value(conv.inputs[1]).shape[0];
    const ValueId bias = conv.inputs.size() > 2 ? conv.inputs[2] : kNoValue;
    set_exact_epilogue(fused, exact_weight_scales(conv, qdq_params(dq_w), channels),
                       exact_bias(graph, index, conv, bias, channels));
  }
  fused.fused_from = {dq_x.name, dq_w.name, conv.name};
  fused.precision = Precision::kInt8;
  fused.precision_reason = "fused DQ→Conv" + epilogue.chain +
                           (epilogue.stop.empty() ? "" : "; " + epilogue.stop);
  install_fused_node(graph, c, std::move(fused), epilogue, "fuse_conv_epilogue", context);
  return true;
}

bool fuse_float(Graph& graph, const GraphIndex& index, int c, PassContext& context) {
  const Node conv = graph.nodes[static_cast<size_t>(c)];
  if (conv.op != Op::kConv || graph.value(conv.inputs[0]).dtype != DType::kFloat32) return false;
  const Value& w = graph.value(conv.inputs[1]);
  if (!w.constant || w.dtype != DType::kFloat32) return false;
  bool has_bias = conv.inputs.size() > 2 && conv.inputs[2] != kNoValue;
  if (has_bias && !bias_vector(graph, index, conv.inputs[2], w.shape[0], 1.0)) return false;
  std::string why_float = why_conv_not_int8(graph, index, conv);
  EpilogueMatch epilogue = match_epilogue(graph, index, c, /*quantized=*/false);

  Node fused{.name = conv.name, .op = Op::kFusedConv};
  fused.inputs = {conv.inputs[0], conv.inputs[1], bias_operand(graph, index, conv)};
  copy_conv_attrs(graph, conv, fused);
  fused.fused_from = {conv.name};
  fused.precision = Precision::kFloat32;
  fused.precision_reason = why_float + "; fused Conv" + epilogue.chain;
  install_fused_node(graph, c, std::move(fused), epilogue, "fuse_conv_epilogue", context);
  return true;
}

}  // namespace

Status fuse_conv_epilogue(Graph& graph, PassContext& context) {
  QATRT_RETURN_IF_ERROR(fuse_until_fixed_point(graph, context, fuse_quantized));
  return fuse_until_fixed_point(graph, context, fuse_float);
}

}  // namespace qatrt
