// sink_transposes: remove the layout Transposes of NHWC graphs (tf2onnx wraps every NCHW conv in
// Transpose(0,3,1,2) … Transpose(0,2,3,1) and keeps activations, Q/DQ and residual adds in NHWC).
// A transposed tensor t = T(p)(x) has t.shape[i] = x.shape[p[i]].
//
//   (a) fold into a constant     C ──► T(p)                        ⇒ transpose(C)
//       fold into a weight DQ    q (const, axis a) ──► DQ ──► T(p) ⇒ transpose(q) (axis p⁻¹[a]) ──► DQ
//                                (the integers move and the quant axis follows its data; q is copied)
//   (b) identity                 T(0,1,…,r−1)                      ⇒ removed
//   (c) merge with a reader      x ──► T(p1) ──► T(p2)             ⇒ x ──► T(c), c[j] = p1[p2[j]];
//                                                                    nothing when c is the identity
//   (d) bypass into a reshape    x ──► T(p) ──► Reshape/Flatten    ⇒ x ──► Reshape/Flatten
//                                when T keeps the row-major element order (it moves only size-1 dims,
//                                e.g. [N,C,1,1] ──► T(0,2,3,1)); Reshape's shape must not copy dims (no 0),
//                                Flatten's axis is moved to the same split of x
//   (e) sink through elementwise x ──► T(p) ──► E                  ⇒ x ──► E ──► T(p)
//                                E unary: Relu, Clip, Identity, Q, DQ (a per-axis axis a becomes p[a]);
//                                E binary (Add, Sub, Mul, Div): every operand is T(p)(·) or a constant; a
//                                full-rank constant c becomes T(p⁻¹)(c), a one-element one stays.
//                                Only when no Transpose is added: the sunk one is read by E alone.
// Sinking moves Transposes downward until they meet their inverse (c), a constant, or stay before an op that
// needs the layout. A Transpose left between a DQ and a conv is moved out by propagate_qdq (int8 Transpose).
#include <algorithm>

#include "passes/constant_math.h"
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

std::vector<int64_t> perm_of(const Graph& graph, const Node& transpose) {
  return transpose_perm(transpose.attr_ints("perm"), graph.value(transpose.inputs[0]).shape.size());
}

// (a) constant or weight-DQ input.
bool fold_into_constant(Graph& graph, const GraphIndex& index, int t, PassContext& context) {
  const Node transpose = graph.nodes[static_cast<size_t>(t)];
  auto perm = perm_of(graph, transpose);
  ValueId in = transpose.inputs[0];
  ValueId out = transpose.outputs[0];
  if (graph.is_graph_output(out)) return false;
  if (graph.is_constant(in)) {
    Value& result = graph.value(out);
    result.constant = transpose_tensor(*graph.value(in).constant, perm);
    result.dtype = result.constant->dtype();
    result.shape = result.constant->shape();
    result.quant = graph.value(in).quant;
    if (result.quant && result.quant->per_axis()) result.quant->axis = axis_after_transpose(perm, result.quant->axis);
    graph.erase_nodes({t});
    context.log.push_back("sink_transposes: " + transpose.describe() + " folded into constant '" +
                          graph.value(in).name + "'");
    return true;
  }
  const Node* dq = weight_dq(graph, index, in);
  if (!dq) return false;
  QuantParams params = qdq_params(*dq);
  if (params.per_axis()) params.axis = axis_after_transpose(perm, params.axis);
  Value moved = graph.value(dq->inputs[0]);
  std::string dq_name = dq->name;
  moved.name = graph.unique_name(moved.name + "_transposed");
  moved.constant = transpose_tensor(*moved.constant, perm);
  moved.shape = moved.constant->shape();
  moved.quant = params;
  ValueId moved_id = graph.add_value(std::move(moved));
  graph.nodes[static_cast<size_t>(t)] = make_dequantize_node(graph.unique_name(dq_name + "_transposed"), moved_id, out,
                                                             params);
  context.log.push_back("sink_transposes: " + transpose.describe() + " folded into the int8 weight of " +
                        "DQ '" + dq_name + "' (data transposed, quant axis follows)");
  return true;
}

// (b) and (c).
bool cancel_or_merge(Graph& graph, const GraphIndex& index, int t, PassContext& context) {
  const Node& transpose = graph.nodes[static_cast<size_t>(t)];
  auto perm = perm_of(graph, transpose);
  if (is_identity_perm(perm)) {
    if (!replace_value(graph, transpose.outputs[0], transpose.inputs[0])) return false;
    context.log.push_back("sink_transposes: identity " + transpose.describe() + " removed");
    return true;
  }
  for (int r : index.readers(transpose.outputs[0])) {
    Node& reader = graph.nodes[static_cast<size_t>(r)];
    if (reader.op != Op::kTranspose) continue;
    auto second = perm_of(graph, reader);
    std::vector<int64_t> composed(second.size());
    for (size_t j = 0; j < second.size(); ++j) composed[j] = perm[static_cast<size_t>(second[j])];
    if (is_identity_perm(composed)) {
      if (!replace_value(graph, reader.outputs[0], transpose.inputs[0])) continue;
      context.log.push_back("sink_transposes: " + transpose.describe() + " and " + reader.describe() +
                            " cancel");
    } else {
      reader.inputs[0] = transpose.inputs[0];
      reader.attrs["perm"] = composed;
      context.log.push_back("sink_transposes: " + transpose.describe() + " merged into " + reader.describe());
    }
    return true;
  }
  return false;
}

// True when T(p) on `shape` only moves size-1 dims: the non-1 dims keep their relative order.
bool keeps_element_order(const Shape& shape, const std::vector<int64_t>& perm) {
  int64_t last = -1;
  for (int64_t p : perm) {
    if (shape[static_cast<size_t>(p)] == 1) continue;
    if (p < last) return false;
    last = p;
  }
  return true;
}

// (product of static dims, number of dynamic dims) of shape[begin, end): equal signatures = equal sizes.
std::pair<int64_t, int> size_signature(const Shape& shape, size_t begin, size_t end) {
  std::pair<int64_t, int> signature{1, 0};
  for (size_t i = begin; i < end; ++i) {
    if (shape[i] < 0)
      ++signature.second;
    else
      signature.first *= shape[i];
  }
  return signature;
}

// (d)
bool bypass_into_reshape(Graph& graph, const GraphIndex& index, int t, PassContext& context) {
  const Node& transpose = graph.nodes[static_cast<size_t>(t)];
  const Shape& x = graph.value(transpose.inputs[0]).shape;
  const Shape& transposed = graph.value(transpose.outputs[0]).shape;
  if (!keeps_element_order(x, perm_of(graph, transpose))) return false;
  for (int r : index.readers(transpose.outputs[0])) {
    Node& reader = graph.nodes[static_cast<size_t>(r)];
    if (reader.inputs[0] != transpose.outputs[0]) continue;
    if (reader.op == Op::kReshape) {
      if (!graph.is_constant(reader.inputs[1])) continue;
      auto target = graph.value(reader.inputs[1]).constant->to_int64_vector();
      if (std::find(target.begin(), target.end(), 0) != target.end()) continue;
    } else if (reader.op == Op::kFlatten) {
      int64_t rank = static_cast<int64_t>(transposed.size());
      int64_t axis = reader.attr_int("axis", 1);
      if (axis < 0) axis += rank;
      auto head = size_signature(transposed, 0, static_cast<size_t>(axis));
      int64_t moved = -1;
      for (int64_t a = 0; a <= rank && moved < 0; ++a)
        if (size_signature(x, 0, static_cast<size_t>(a)) == head) moved = a;
      if (moved < 0) continue;
      reader.attrs["axis"] = moved;
    } else {
      continue;
    }
    reader.inputs[0] = transpose.inputs[0];
    context.log.push_back("sink_transposes: " + transpose.describe() + " bypassed by " + reader.describe() +
                          " (it only moves size-1 dims)");
    return true;
  }
  return false;
}

bool is_unary_elementwise(Op op) {
  return op == Op::kRelu || op == Op::kClip || op == Op::kIdentity || op == Op::kQuantizeLinear ||
         op == Op::kDequantizeLinear;
}

bool is_binary_elementwise(Op op) { return op == Op::kAdd || op == Op::kSub || op == Op::kMul || op == Op::kDiv; }

// Operand i of a binary op can be un-transposed by p: it is T(p)(·) or a constant of one element / full rank.
bool untransposable_operand(const Graph& graph, const GraphIndex& index, ValueId operand,
                            const std::vector<int64_t>& perm) {
  if (graph.is_constant(operand)) {
    const Tensor& c = *graph.value(operand).constant;
    return c.numel() == 1 || c.shape().size() == perm.size();
  }
  const Node* t = index.producer_if(operand, Op::kTranspose);
  return t && perm_of(graph, *t) == perm;
}

// (e)
bool sink_through_elementwise(Graph& graph, const GraphIndex& index, int t, PassContext& context) {
  const Node transpose = graph.nodes[static_cast<size_t>(t)];
  int e = index.sole_reader(transpose.outputs[0]);
  if (e < 0) return false;
  const Node reader = graph.nodes[static_cast<size_t>(e)];
  auto perm = perm_of(graph, transpose);
  if (is_unary_elementwise(reader.op)) {
    if (reader.inputs[0] != transpose.outputs[0]) return false;  // Clip's min/max, not its data
  } else if (is_binary_elementwise(reader.op)) {
    for (ValueId operand : reader.inputs)
      if (!untransposable_operand(graph, index, operand, perm)) return false;
  } else {
    return false;
  }

  Node moved = reader;
  if (is_unary_elementwise(reader.op)) {
    moved.inputs[0] = transpose.inputs[0];
  } else {
    for (ValueId& operand : moved.inputs) {
      if (!graph.is_constant(operand)) {
        operand = index.producer_if(operand, Op::kTranspose)->inputs[0];
      } else if (graph.value(operand).constant->numel() > 1) {
        Tensor c = transpose_tensor(*graph.value(operand).constant, inverse_perm(perm));
        operand = graph.add_constant(graph.unique_name(graph.value(operand).name + "_transposed"), c);
      }
    }
  }
  std::optional<QuantParams> quant = graph.value(reader.outputs[0]).quant;
  if (reader.op == Op::kQuantizeLinear || reader.op == Op::kDequantizeLinear) {
    QuantParams params = qdq_params(reader);
    if (params.per_axis()) params.axis = perm[static_cast<size_t>(params.axis)];
    set_qdq_params(moved, params);
    quant = params;
  } else if (quant && quant->per_axis()) {
    quant->axis = perm[static_cast<size_t>(quant->axis)];
  }
  const Value& old_out = graph.value(reader.outputs[0]);
  Shape untransposed(old_out.shape.size());
  for (size_t i = 0; i < perm.size(); ++i) untransposed[static_cast<size_t>(perm[i])] = old_out.shape[i];
  std::string mid_base = old_out.name.substr(0, old_out.name.find("_untransposed"));
  Value mid{.name = graph.unique_name(mid_base + "_untransposed"), .dtype = old_out.dtype, .shape = untransposed};
  if (is_quantized_type(mid.dtype)) mid.quant = quant;
  ValueId mid_id = graph.add_value(std::move(mid));
  ValueId final_out = reader.outputs[0];
  moved.outputs = {mid_id};
  std::string base = transpose.name.substr(0, transpose.name.find("_sunk"));
  Node sunk{.name = graph.unique_name(base + "_sunk"), .op = Op::kTranspose, .inputs = {mid_id},
            .outputs = {final_out}};
  sunk.attrs["perm"] = perm;
  graph.nodes[static_cast<size_t>(e)] = std::move(moved);
  graph.add_node(std::move(sunk));
  context.log.push_back("sink_transposes: " + transpose.describe() + " sunk below " + reader.describe());
  return true;
}

bool rewrite_one(Graph& graph, const GraphIndex& index, PassContext& context) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].op != Op::kTranspose || graph.value(graph.nodes[i].inputs[0]).shape.empty()) continue;
    int t = static_cast<int>(i);
    if (fold_into_constant(graph, index, t, context) || cancel_or_merge(graph, index, t, context) ||
        bypass_into_reshape(graph, index, t, context) || sink_through_elementwise(graph, index, t, context))
      return true;
  }
  return false;
}

}  // namespace

Status sink_transposes(Graph& graph, PassContext& context) {
  // Every rewrite removes a Transpose or moves one strictly downward, so this terminates; the bound only
  // turns a bug into an error instead of a hang.
  const size_t limit = 16 * (graph.nodes.size() + 1) * (graph.nodes.size() + 1);
  for (size_t round = 0;; ++round) {
    if (round > limit)
      return make_error(StatusCode::kInternal, "sink_transposes: no fixed point after ", limit,
                        " rewrites; this is a bug in the pass");
    GraphIndex index(graph);
    if (!rewrite_one(graph, index, context)) break;
    graph.remove_dead_nodes();
    QATRT_RETURN_IF_ERROR(sort_topologically(graph));
  }
  return {};
}

}  // namespace qatrt
