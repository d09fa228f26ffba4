// convert_to_float16 (--fp16, after the fp32 pipeline): the network's float activations become float16, with
// explicit conversions where the caller's float32 meets them.
//
//   x (f32, graph input) ──► L1 ──► … ──► Ln ──► y (f32, graph output)
//     ⇒  x ──► Cast(to float16) ──► x' (f16) ──► L1 ──► … ──► Ln ──► y' (f16) ──► Cast(to float32) ──► y
//
// Every float32 activation in between becomes float16, and the weights and biases of FusedConv / FusedGemm
// become float16 constants (rounded to nearest even, once, here). The layers keep their math (src/ir/ops.h);
// a float16 layer rounds its operands and its result to float16 and accumulates in float32. The graph's inputs
// and outputs stay float32 for the caller. Only the ops the CUDA backend runs in float16 are converted: any
// other op on float data is an error naming it (build that model with --fp32).
#include <algorithm>

#include "core/float16.h"
#include "passes/passes.h"

namespace qatrt {
namespace {

bool runs_in_float16(Op op) {
  switch (op) {
    case Op::kFusedConv:
    case Op::kFusedGemm:
    case Op::kMaxPool:
    case Op::kGlobalAveragePool:
    case Op::kSoftmax:
    case Op::kFlatten:
    case Op::kReshape:
    case Op::kSqueeze:
    case Op::kUnsqueeze:
    case Op::kIdentity: return true;
    default: return false;
  }
}

bool is_float32_activation(const Graph& graph, ValueId id) {
  return id != kNoValue && !graph.is_constant(id) && graph.value(id).dtype == DType::kFloat32;
}

Tensor to_float16(const Tensor& t) {
  Tensor half(DType::kFloat16, t.shape());
  const float* src = t.data<float>();
  auto* dst = half.data<uint16_t>();
  for (int64_t i = 0; i < t.numel(); ++i) dst[i] = float_to_half_bits(src[i]);
  return half;
}

Node make_cast(Graph& graph, const std::string& base, ValueId from, ValueId to, DType target) {
  Node cast{.name = graph.unique_name(base), .op = Op::kCast, .inputs = {from}, .outputs = {to}};
  cast.attrs["to"] = static_cast<int64_t>(target);
  return cast;
}

ValueId add_twin(Graph& graph, ValueId of, const std::string& suffix) {
  Value twin = graph.value(of);
  twin.name = graph.unique_name(twin.name + suffix);
  twin.dtype = DType::kFloat16;
  return graph.add_value(std::move(twin));
}

}  // namespace

Status convert_to_float16(Graph& graph, PassContext& context) {
  for (const Node& node : graph.nodes) {
    const auto is_float = [&](ValueId id) { return is_float32_activation(graph, id); };
    const bool on_float = std::any_of(node.inputs.begin(), node.inputs.end(), is_float) ||
                          std::any_of(node.outputs.begin(), node.outputs.end(), is_float);
    if (on_float && !runs_in_float16(node.op))
      return make_error(StatusCode::kUnsupported, node.describe(),
                        ": --fp16 runs FusedConv, FusedGemm, MaxPool, GlobalAveragePool, Softmax and reshapes in "
                        "float16, not ", op_name(node.op), "; build this model with --fp32");
  }
  for (const Node& node : graph.nodes) {
    if (node.op != Op::kFusedConv && node.op != Op::kFusedGemm) continue;
    for (size_t i = 1; i < std::min<size_t>(node.inputs.size(), 3); ++i) {
      const ValueId id = node.inputs[i];
      if (id == kNoValue || !graph.is_constant(id) || graph.value(id).dtype != DType::kFloat32) continue;
      Value& v = graph.value(id);
      v.constant = to_float16(*v.constant);
      v.dtype = DType::kFloat16;
      context.log.push_back("convert_to_float16: constant '" + v.name + "' of " + node.describe() + " → float16");
    }
  }
  // Outputs first: a graph output's producer writes a float16 twin, which a Cast appended at the end widens.
  std::vector<Node> output_casts;
  for (ValueId y : graph.outputs) {
    const int producer = graph.producer(y);
    if (producer < 0 || !is_float32_activation(graph, y)) continue;
    const ValueId y16 = add_twin(graph, y, "_fp16");
    for (Node& node : graph.nodes)
      for (ValueId& id : node.outputs)
        if (id == y) id = y16;
    for (Node& node : graph.nodes)
      for (ValueId& id : node.inputs)
        if (id == y) id = y16;
    output_casts.push_back(make_cast(graph, graph.value(y).name + "/to_float32", y16, y, DType::kFloat32));
  }
  // Every other float32 activation but the graph inputs is now float16.
  for (ValueId id = 0; id < static_cast<ValueId>(graph.values.size()); ++id) {
    const bool boundary = std::find(graph.inputs.begin(), graph.inputs.end(), id) != graph.inputs.end() ||
                          graph.is_graph_output(id);
    if (!boundary && is_float32_activation(graph, id)) graph.value(id).dtype = DType::kFloat16;
  }
  // Inputs: a Cast at the front narrows each float32 graph input for its readers.
  std::vector<Node> input_casts;
  for (ValueId x : graph.inputs) {
    if (!is_float32_activation(graph, x) || graph.consumers(x).empty()) continue;
    const ValueId x16 = add_twin(graph, x, "_fp16");
    for (Node& node : graph.nodes)
      for (ValueId& id : node.inputs)
        if (id == x) id = x16;
    input_casts.push_back(make_cast(graph, graph.value(x).name + "/to_float16", x, x16, DType::kFloat16));
  }
  for (size_t i = 0; i < input_casts.size(); ++i) graph.insert_node(i, std::move(input_casts[i]));
  for (Node& cast : output_casts) graph.add_node(std::move(cast));
  context.log.push_back("convert_to_float16: " + std::to_string(input_casts.size()) + " input(s) and " +
                        std::to_string(output_casts.size()) + " output(s) converted at the graph boundary");
  return {};
}

}  // namespace qatrt
