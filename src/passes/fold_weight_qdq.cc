// fold_weight_qdq: quantize constant weights once, at build time.
//
//   W (float constant) ──► QuantizeLinear(s, z, axis) ──► q ──► DequantizeLinear ──► Conv/Gemm/…
//   becomes
//   q (int8/uint8 constant, Value::quant = (s, z, axis)) ──► DequantizeLinear ──► Conv/Gemm/…
//
//   q[i] = saturate(roundTiesToEven(W[i] / s[c]) + z[c]),  c = index of i along `axis` (0 when per-tensor)
//
// This is exactly what the QuantizeLinear would compute at run time (core/quant.h), so the graph means the
// same. With PassContext::exact_rounding W[i] / s[c] is formed in double instead: the real quotient, which a
// float32 division rounds across a .5 boundary for a few weights of a large model (25 of ResNet-50's 25.5 M).
// The weight is never folded back to float here: the DQ stays and the fusion passes read the integers.
// Models exported in ONNX Runtime's format (int8 initializer → DQ) already have this form.
#include "passes/constant_math.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

bool matches(const Graph& graph, const Node& node) {
  if (node.op != Op::kQuantizeLinear) return false;
  const Value& w = graph.value(node.inputs[0]);
  return w.constant && w.dtype == DType::kFloat32 && !graph.is_graph_output(node.outputs[0]);
}

void rewrite(Graph& graph, const Node& quantize, PassContext& context) {
  QuantParams params = qdq_params(quantize);
  DType type = quantize_output_dtype(quantize);
  Value& q = graph.value(quantize.outputs[0]);
  q.constant = quantize_tensor(*graph.value(quantize.inputs[0]).constant, params, type, context.exact_rounding);
  q.dtype = type;
  q.shape = q.constant->shape();
  q.quant = params;
  context.log.push_back("fold_weight_qdq: " + quantize.describe() + " on constant '" +
                        graph.value(quantize.inputs[0]).name + "' → " + std::string(dtype_name(type)) +
                        " constant '" + q.name + "'" +
                        (params.per_axis() ? " (per-axis " + std::to_string(params.axis) + ")" : ""));
}

}  // namespace

Status fold_weight_qdq(Graph& graph, PassContext& context) {
  std::vector<int> folded;
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (!matches(graph, graph.nodes[i])) continue;
    rewrite(graph, graph.nodes[i], context);
    folded.push_back(static_cast<int>(i));
  }
  graph.erase_nodes(folded);
  return {};
}

}  // namespace qatrt
