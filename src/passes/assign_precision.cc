// assign_precision (the last pass): every node gets Node::precision and a reason. Nothing is left unset.
//
//   int8  QConv / QGemm (reason written by the fusion), Requantize, QuantizeLinear, and data movement whose
//         input is int8/uint8 (MaxPool, Pad, Transpose, Concat, Relu, Clip)
//   none  pure reshapes: Reshape, Flatten, Squeeze, Unsqueeze, Identity (metadata only, any dtype)
//   fp16  in fp16 mode every other node: "--fp16 requested" (fused layers add their fusion), and the Casts at
//         the graph boundary
//   fp32  everything computing on float data, with why it is not int8:
//           "--fp32 requested" in fp32 mode, "--fake-quant: …" in fake-quant mode;
//           FusedConv / FusedGemm: the reason their fusion recorded;
//           Conv / Gemm / MatMul left unfused: the failed condition (why_conv_not_int8 / why_gemm_not_int8),
//             e.g. "weight zero point ≠ 0";
//           other ops: "no int8 kernel for <op>; runs in float on dequantized inputs" when a DQ feeds them,
//             else why their input is not an int8 activation ("input not quantized: no DQ before it");
//           DequantizeLinear: which readers need float.
// A reason already set by an earlier pass (the fusions) is kept in int8/best mode.
#include "passes/fusion_checks.h"
#include "passes/graph_index.h"
#include "passes/passes.h"
#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

bool reads_dequantized(const GraphIndex& index, const Node& node) {
  for (ValueId in : node.inputs)
    if (index.producer_if(in, Op::kDequantizeLinear)) return true;
  return false;
}

std::string readers_of(const Graph& graph, const GraphIndex& index, ValueId value) {
  std::string list;
  for (int r : index.readers(value)) {
    if (!list.empty()) list += ", ";
    list += graph.nodes[static_cast<size_t>(r)].describe();
  }
  if (graph.is_graph_output(value)) list += list.empty() ? "the graph output" : ", the graph output";
  return list;
}

std::pair<Precision, std::string> decide(const Graph& graph, const GraphIndex& index, const Node& node,
                                         PrecisionMode mode) {
  const DType in_type = graph.value(node.inputs[0]).dtype;
  const std::string op(op_name(node.op));
  if (is_pure_reshape(node.op)) return {Precision::kNone, "data movement only (" + op + ")"};
  if (node.op == Op::kCast)
    return {Precision::kFloat16, "--fp16: converts the graph's " + std::string(dtype_name(in_type)) + " to " +
                                     std::string(dtype_name(graph.value(node.outputs[0]).dtype))};
  switch (node.op) {
    case Op::kQConv:
    case Op::kQGemm: return {Precision::kInt8, "fused " + op};
    case Op::kRequantize: return {Precision::kInt8, "int8 → int8 rescale (DQ→Q with different parameters)"};
    case Op::kQuantizeLinear:
      return {Precision::kInt8, "quantizes float → " + std::string(dtype_name(quantize_output_dtype(node)))};
    case Op::kDequantizeLinear:
      return {Precision::kFloat32, "dequantizes " + std::string(dtype_name(in_type)) + " → float for " +
                                       readers_of(graph, index, node.outputs[0])};
    default: break;
  }
  if (is_data_movement(node.op) && is_quantized_type(in_type))
    return {Precision::kInt8, "int8 data movement (" + op + ")"};
  if (mode == PrecisionMode::kFp32) return {Precision::kFloat32, "--fp32 requested"};
  if (mode == PrecisionMode::kFp16) return {Precision::kFloat16, "--fp16 requested"};
  if (mode == PrecisionMode::kFakeQuant) return {Precision::kFloat32, "--fake-quant: float on Q/DQ-rounded values"};
  std::string why;
  if (node.op == Op::kConv) why = why_conv_not_int8(graph, index, node);
  if (node.op == Op::kGemm || node.op == Op::kMatMul) why = why_gemm_not_int8(graph, index, node);
  if (why.empty() && !is_data_movement(node.op) && reads_dequantized(index, node))
    why = "no int8 kernel for " + op + "; runs in float on dequantized inputs";
  if (why.empty()) why = describe_activation_dq(graph, index, node.inputs[0]);
  if (why.empty()) why = "not fused into an int8 kernel";
  return {Precision::kFloat32, why};
}

}  // namespace

Status assign_precision(Graph& graph, PassContext& context, PrecisionMode mode) {
  GraphIndex index(graph);
  for (Node& node : graph.nodes) {
    auto [precision, reason] = decide(graph, index, node, mode);
    bool float_mode =
        mode == PrecisionMode::kFp32 || mode == PrecisionMode::kFakeQuant || mode == PrecisionMode::kFp16;
    bool keep_fusion_reason = node.precision != Precision::kUnset && !float_mode;
    if (keep_fusion_reason) continue;
    // In the float modes a fused float layer keeps the "; fused Conv→…" part its fusion wrote, after the mode.
    const bool float_layer = precision == Precision::kFloat32 || precision == Precision::kFloat16;
    if (auto fused = node.precision_reason.find("; fused "); float_layer && fused != std::string::npos)
      reason += node.precision_reason.substr(fused);
    node.precision = precision;
    node.precision_reason = reason;
  }
  int counts[5] = {0, 0, 0, 0, 0};
  for (const Node& node : graph.nodes) ++counts[static_cast<int>(node.precision)];
  context.log.push_back("assign_precision: " + std::to_string(counts[static_cast<int>(Precision::kInt8)]) + " int8, " +
                        std::to_string(counts[static_cast<int>(Precision::kFloat32)]) + " fp32, " +
                        std::to_string(counts[static_cast<int>(Precision::kFloat16)]) + " fp16, " +
                        std::to_string(counts[static_cast<int>(Precision::kNone)]) + " data-movement-only nodes");
  return {};
}

}  // namespace qatrt
