#include "passes/epilogue_match.h"

#include "passes/qdq_attrs.h"

namespace qatrt {

EpilogueMatch match_epilogue(const Graph& graph, const GraphIndex& index, int compute, bool quantized) {
  EpilogueMatch m;
  m.output = graph.nodes[static_cast<size_t>(compute)].outputs[0];
  auto absorb = [&](int node) {
    m.nodes.push_back(node);
    m.names.push_back(graph.nodes[static_cast<size_t>(node)].name);
    Op op = graph.nodes[static_cast<size_t>(node)].op;
    m.chain += op == Op::kQuantizeLinear ? "→Q" : "→" + std::string(op_name(op));
    m.output = graph.nodes[static_cast<size_t>(node)].outputs[0];
  };

  int next = index.sole_reader(m.output);
  if (next >= 0 && graph.nodes[static_cast<size_t>(next)].op == Op::kAdd) {
    const Node& add = graph.nodes[static_cast<size_t>(next)];
    ValueId other = add.inputs[0] == m.output ? add.inputs[1] : add.inputs[0];
    const Value& residual = graph.value(other);
    if (other != m.output && residual.dtype == DType::kFloat32 && residual.shape == graph.value(m.output).shape) {
      m.residual = other;
      absorb(next);
      if (quantized) {
        if (const Node* dq = activation_dq(graph, index, other)) {
          m.residual = dq->inputs[0];
          m.names.push_back(dq->name);
          m.chain += "(int8 residual)";
        }
      }
      next = index.sole_reader(m.output);
    }
  }
  if (next >= 0 && graph.nodes[static_cast<size_t>(next)].op == Op::kRelu) {
    m.relu = true;
    absorb(next);
    next = index.sole_reader(m.output);
  }
  if (quantized && next >= 0 && graph.nodes[static_cast<size_t>(next)].op == Op::kQuantizeLinear &&
      !qdq_params(graph.nodes[static_cast<size_t>(next)]).per_axis()) {
    m.quantized_output = true;
    absorb(next);
    return m;
  }
  if (quantized && next < 0 && index.use_count(m.output) > 1) {
    std::vector<QuantParams> q_params;
    for (int r : index.readers(m.output))
      if (graph.nodes[static_cast<size_t>(r)].op == Op::kQuantizeLinear)
        q_params.push_back(qdq_params(graph.nodes[static_cast<size_t>(r)]));
    bool differ = false;
    for (const auto& p : q_params) differ = differ || !(p == q_params.front());
    m.stop = "output read by " + std::to_string(index.use_count(m.output)) + " consumers" +
             (differ ? " incl. Q's with different scales" : "") +
             (graph.is_graph_output(m.output) ? " (a graph output)" : "") + ", kept float";
  }
  return m;
}

void install_fused_node(Graph& graph, int compute, Node fused, const EpilogueMatch& epilogue, const std::string& pass,
                        PassContext& context) {
  fused.inputs.push_back(epilogue.residual);
  while (fused.inputs.back() == kNoValue) fused.inputs.pop_back();
  fused.attrs["relu"] = int64_t{epilogue.relu ? 1 : 0};
  fused.outputs = {epilogue.output};
  fused.fused_from.insert(fused.fused_from.end(), epilogue.names.begin(), epilogue.names.end());
  if (epilogue.quantized_output) {
    const Node& quantize = graph.nodes[static_cast<size_t>(epilogue.nodes.back())];
    Value& out = graph.value(epilogue.output);
    out.dtype = quantize_output_dtype(quantize);
    out.quant = qdq_params(quantize);
  }
  context.log.push_back(pass + ": " + fused.describe() + " ← " + fused.precision_reason);
  graph.nodes[static_cast<size_t>(compute)] = std::move(fused);
  graph.erase_nodes(epilogue.nodes);
}

Status fuse_until_fixed_point(Graph& graph, PassContext& context, FuseFunction fuse) {
  bool changed = true;
  while (changed) {
    changed = false;
    GraphIndex index(graph);
    for (size_t i = 0; i < graph.nodes.size() && !changed; ++i) changed = fuse(graph, index, static_cast<int>(i), context);
    if (changed) graph.remove_dead_nodes();
  }
  return sort_topologically(graph);
}

}  // namespace qatrt
