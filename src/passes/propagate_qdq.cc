// propagate_qdq: keep quantized activations int8 through data movement, so every DQ ends up right before a
// compute op (where fuse_*_epilogue absorbs it) and every Q right after one.
//
//   (a) DQ forward:  q ──► DQ(s,z) ──► X ──► y      ⇒  q ──► X(int8) ──► DQ(s,z) ──► y
//   (b) Q backward:  a ──► X ──► Q(s,z) ──► q       ⇒  a ──► Q(s,z) ──► X(int8) ──► q
//   (c) DQ → Q:      q ──► DQ(s1,z1) ──► Q(s2,z2) ──► r  ⇒  q ──► Requantize ──► r     r = Q2(DQ1(q))
//                                                          ⇒  q, when (s1, z1, type1) = (s2, z2, type2)
//   (d) twins:       x ──► Q(s,z) ──► a,  x ──► Q(s,z) ──► b   ⇒  x ──► Q(s,z) ──► a (b's readers read a)
//                    (the same for two DQs): exporters give each consumer its own quantizer; with equal
//                    parameters they compute the same tensor, and one Q lets the producer's epilogue absorb it.
// Why each X commutes with the per-tensor maps DQ(q) = (q − z)·s and Q(x) = sat(round(x/s) + z):
//   Reshape, Flatten, Transpose  move elements and compute nothing: they commute with any elementwise map.
//   MaxPool                      max commutes with a non-decreasing map; DQ and Q are when s > 0.
//   Pad (mode constant, value v) (a) pads the integers with v_q where DQ(v_q) = v exactly (v = 0 → v_q = z),
//                                    else it does not move; (b) pads with Q(v), exact since Q is elementwise.
//   Relu                         (a) only: relu((q − z)·s) = (max(q, z) − z)·s and the int8 Relu is max(q, 0),
//                                    so z = 0. Not (b): Conv → Relu → Q must stay together for the epilogue.
//   (c) vanishes only when the params are equal: Q(DQ(q)) = q because |q − z| ≤ 255, so fl(fl((q − z)·s)/s)
//       rounds back to q − z exactly.
// (a) moves activation DQs only (reading a non-constant int8 value whose Value::quant equals the DQ's
// attributes, per-tensor); a DQ of a constant is a weight and stays next to its conv. A DQ that other nodes
// also read stays for them, and X gets its own DQ after it.
#include "core/quant.h"
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

bool moves_data_only(Op op) {
  return op == Op::kMaxPool || op == Op::kReshape || op == Op::kFlatten || op == Op::kTranspose || op == Op::kPad;
}

// Pad's constant value (0 when absent), or nullopt when Pad is not in constant mode or the value is not a
// one-element constant.
std::optional<float> pad_value(const Graph& graph, const Node& pad) {
  if (pad.attr_string("mode", "constant") != "constant") return std::nullopt;
  if (pad.inputs.size() < 3 || pad.inputs[2] == kNoValue) return 0.0f;
  if (!graph.is_constant(pad.inputs[2]) || graph.value(pad.inputs[2]).constant->numel() != 1) return std::nullopt;
  return static_cast<float>(graph.value(pad.inputs[2]).constant->as_double(0));
}

ValueId add_quantized_scalar(Graph& graph, const std::string& base, int32_t q, DType type) {
  Tensor t(type, {});
  if (type == DType::kUInt8)
    t.data<uint8_t>()[0] = static_cast<uint8_t>(q);
  else
    t.data<int8_t>()[0] = static_cast<int8_t>(q);
  return graph.add_constant(graph.unique_name(base), t);
}

// (a)
bool forward_dq(Graph& graph, const GraphIndex& index, int x, PassContext& context) {
  const Node& op = graph.nodes[static_cast<size_t>(x)];
  if (!moves_data_only(op.op) && op.op != Op::kRelu) return false;
  const Node* dq = activation_dq(graph, index, op.inputs[0]);
  if (!dq) return false;
  const QuantParams params = qdq_params(*dq);
  const ValueId q = dq->inputs[0];
  const DType type = graph.value(q).dtype;
  const std::string dq_name = dq->name;
  if (op.op == Op::kMaxPool && !(params.scales[0] > 0.0f)) return false;
  if (op.op == Op::kRelu && params.zero_points[0] != 0) return false;
  std::optional<int32_t> padding;
  if (op.op == Op::kPad) {
    auto v = pad_value(graph, op);
    if (!v) return false;
    int32_t v_q = quantize_value(*v, params.scales[0], params.zero_points[0], type);
    if (dequantize_value(v_q, params.scales[0], params.zero_points[0]) != *v) return false;
    padding = v_q;
  }

  Node moved = op;
  const ValueId y = op.outputs[0];
  ValueId y_q = add_value_like(graph, y, graph.value(y).name + "_q", type, params);
  moved.inputs[0] = q;
  moved.outputs[0] = y_q;
  if (padding) {
    moved.inputs.resize(3);
    moved.inputs[2] = add_quantized_scalar(graph, op.name + "_pad_value", *padding, type);
  }
  std::string description = moved.describe();
  graph.nodes[static_cast<size_t>(x)] = std::move(moved);
  // Named after the op it now follows ("x_dq_after_pool"), not after every op it passed.
  std::string base = dq_name.substr(0, dq_name.find("_after_")) + "_after_" + graph.nodes[static_cast<size_t>(x)].name;
  graph.add_node(make_dequantize_node(graph.unique_name(base), y_q, y, params));
  context.log.push_back("propagate_qdq: DQ '" + dq_name + "' moved after " + description + ", which now runs on " +
                        std::string(dtype_name(type)));
  return true;
}

// (b)
bool backward_q(Graph& graph, const GraphIndex& index, int qi, PassContext& context) {
  const Node quantize = graph.nodes[static_cast<size_t>(qi)];
  if (quantize.op != Op::kQuantizeLinear) return false;
  const QuantParams params = qdq_params(quantize);
  if (params.per_axis()) return false;
  const ValueId y = quantize.inputs[0];
  int x = index.producer(y);
  if (x < 0 || !index.used_only_by(y, qi)) return false;
  Node moved = graph.nodes[static_cast<size_t>(x)];
  if (!moves_data_only(moved.op) || graph.value(moved.inputs[0]).dtype != DType::kFloat32) return false;
  const DType type = quantize_output_dtype(quantize);
  std::optional<float> padding;
  if (moved.op == Op::kPad && !(padding = pad_value(graph, moved))) return false;

  const ValueId a = moved.inputs[0];
  ValueId a_q = add_value_like(graph, a, graph.value(a).name + "_q", type, params);
  graph.add_node(make_quantize_node(graph.unique_name(quantize.name + "_before_" + moved.name), a, a_q, params, type));
  moved.inputs[0] = a_q;
  moved.outputs[0] = quantize.outputs[0];
  if (padding) {
    moved.inputs.resize(3);
    moved.inputs[2] = add_quantized_scalar(graph, moved.name + "_pad_value",
                                           quantize_value(*padding, params.scales[0], params.zero_points[0], type), type);
  }
  context.log.push_back("propagate_qdq: " + quantize.describe() + " moved before " + moved.describe() +
                        ", which now runs on " + std::string(dtype_name(type)));
  graph.nodes[static_cast<size_t>(x)] = std::move(moved);
  graph.erase_nodes({qi});
  return true;
}

// (c)
bool merge_dq_q(Graph& graph, const GraphIndex& index, int qi, PassContext& context) {
  const Node quantize = graph.nodes[static_cast<size_t>(qi)];
  if (quantize.op != Op::kQuantizeLinear) return false;
  const Node* dq = activation_dq(graph, index, quantize.inputs[0]);
  const QuantParams out_params = qdq_params(quantize);
  if (!dq || out_params.per_axis()) return false;
  const ValueId q = dq->inputs[0];
  const DType out_type = quantize_output_dtype(quantize);
  const ValueId r = quantize.outputs[0];
  const std::string dq_name = dq->name;
  if (qdq_params(*dq) == out_params && graph.value(q).dtype == out_type && replace_value(graph, r, q)) {
    context.log.push_back("propagate_qdq: DQ '" + dq_name + "' → " + quantize.describe() +
                          " removed (same parameters: Q(DQ(q)) = q)");
    return true;
  }
  Node requantize{.name = quantize.name, .op = Op::kRequantize, .inputs = {q}, .outputs = {r}};
  requantize.fused_from = {dq_name, quantize.name};
  graph.value(r).dtype = out_type;
  graph.value(r).quant = out_params;
  graph.nodes[static_cast<size_t>(qi)] = std::move(requantize);
  context.log.push_back("propagate_qdq: DQ '" + dq_name + "' → " + quantize.describe() + " became Requantize");
  return true;
}

// (d)
bool merge_twins(Graph& graph, const GraphIndex& index, int first, PassContext& context) {
  const Node& a = graph.nodes[static_cast<size_t>(first)];
  if (a.op != Op::kQuantizeLinear && a.op != Op::kDequantizeLinear) return false;
  for (int r : index.readers(a.inputs[0])) {
    if (r <= first) continue;
    const Node& b = graph.nodes[static_cast<size_t>(r)];
    if (b.op != a.op || b.inputs[0] != a.inputs[0] || !(qdq_params(a) == qdq_params(b))) continue;
    if (a.op == Op::kQuantizeLinear && quantize_output_dtype(a) != quantize_output_dtype(b)) continue;
    if (!replace_value(graph, b.outputs[0], a.outputs[0])) continue;
    context.log.push_back("propagate_qdq: " + b.describe() + " merged into its twin " + a.describe());
    return true;
  }
  return false;
}

bool rewrite_one(Graph& graph, const GraphIndex& index, PassContext& context) {
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (merge_twins(graph, index, static_cast<int>(i), context)) return true;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (forward_dq(graph, index, static_cast<int>(i), context)) return true;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (backward_q(graph, index, static_cast<int>(i), context)) return true;
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    if (merge_dq_q(graph, index, static_cast<int>(i), context)) return true;
  return false;
}

}  // namespace

Status propagate_qdq(Graph& graph, PassContext& context) {
  // Each rewrite moves a DQ strictly down, a Q strictly up, or removes a DQ→Q pair, so this terminates.
  while (true) {
    GraphIndex index(graph);
    if (!rewrite_one(graph, index, context)) break;
    graph.remove_dead_nodes();
    QATRT_RETURN_IF_ERROR(sort_topologically(graph));
  }
  return {};
}

}  // namespace qatrt
