#include "train/trainable_graph.h"

#include <algorithm>

#include "passes/qdq_attrs.h"

namespace qatrt {
namespace {

std::string supported_list() {
  std::string list;
  for (Op op : trainer_supported_ops()) list += (list.empty() ? "" : ", ") + std::string(op_name(op));
  return list;
}

// DequantizeLinear(int8 constant) → DequantizeLinear(QuantizeLinear(float constant)), same parameters.
void expand_int8_weights(Graph& graph) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    if (graph.nodes[i].op != Op::kDequantizeLinear) continue;
    const ValueId q = graph.nodes[i].inputs[0];
    if (!graph.is_constant(q) || !is_quantized_type(graph.value(q).dtype)) continue;
    const QuantParams params = qdq_params(graph.nodes[i]);
    const Tensor& ints = *graph.value(q).constant;
    Tensor floats(DType::kFloat32, ints.shape());
    const Shape& shape = ints.shape();
    int64_t inner = 1;
    for (size_t d = static_cast<size_t>(params.axis) + 1; d < shape.size(); ++d) inner *= shape[d];
    const int64_t channels = params.per_axis() ? shape[static_cast<size_t>(params.axis)] : 1;
    for (int64_t e = 0; e < ints.numel(); ++e) {
      const int64_t c = params.per_axis() ? (e / inner) % channels : 0;
      floats.data<float>()[e] = dequantize_value(static_cast<int32_t>(ints.as_int64(e)), params.scale(c), params.zero_point(c));
    }
    const ValueId weight = graph.add_constant(graph.unique_name(graph.value(q).name + "_float"), floats);
    const DType type = graph.value(q).dtype;
    graph.nodes[i].inputs[0] = add_value_like(graph, q, graph.value(q).name + "_q", type, params);
    Node quantize = make_quantize_node(graph.unique_name(graph.nodes[i].name + "_weight_q"), weight, graph.nodes[i].inputs[0], params, type);
    graph.insert_node(i, std::move(quantize));
    ++i;
  }
}

Status check_symmetric_int8(const Graph& graph, const Node& node) {
  const QuantParams params = qdq_params(node);
  DType type = node.op == Op::kQuantizeLinear ? quantize_output_dtype(node) : graph.value(node.inputs[0]).dtype;
  if (type != DType::kInt8 || !params.symmetric())
    return make_error(StatusCode::kUnsupported, node.describe(), ": the trainer's fake quantization is symmetric int8 "
                      "(zero point 0); this quantizer is ", dtype_name(type), params.symmetric() ? "" : " with a non-zero zero point",
                      ". Re-quantize the float model with qatrt quantize / insert_qdq");
  return Status::ok_status();
}

}  // namespace

const std::vector<Op>& trainer_supported_ops() {
  static const std::vector<Op> ops = {
      Op::kConv, Op::kGemm, Op::kMatMul, Op::kBatchNormalization, Op::kRelu, Op::kClip, Op::kMaxPool,
      Op::kAveragePool, Op::kGlobalAveragePool, Op::kAdd, Op::kSub, Op::kMul, Op::kDiv, Op::kFlatten,
      Op::kReshape, Op::kTranspose, Op::kSqueeze, Op::kUnsqueeze, Op::kConcat, Op::kPad, Op::kSoftmax,
      Op::kIdentity, Op::kQuantizeLinear, Op::kDequantizeLinear};
  return ops;
}

StatusOr<TrainableGraph> prepare_trainable_graph(const Graph& source) {
  TrainableGraph t{.graph = source};
  Graph& graph = t.graph;
  expand_int8_weights(graph);
  if (graph.inputs.size() != 1 || graph.outputs.size() != 1)
    return make_error(StatusCode::kUnsupported, "graph '", graph.name, "' has ", graph.inputs.size(), " inputs and ",
                      graph.outputs.size(), " outputs; the trainer needs one image input and one class-score output");
  const auto& supported = trainer_supported_ops();
  for (const Node& node : graph.nodes)
    if (std::find(supported.begin(), supported.end(), node.op) == supported.end())
      return make_error(StatusCode::kUnsupported, node.describe(), ": not supported by the trainer; it runs ", supported_list());

  auto assign = [&](ValueId id, ConstantRole role) {
    if (id == kNoValue || !graph.is_constant(id) || graph.value(id).dtype != DType::kFloat32) return;
    ConstantRole& current = t.roles[id];
    current = std::max(current, role);  // a constant shared by several uses takes its strongest role
  };
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    for (ValueId in : node.inputs) assign(in, ConstantRole::kFixed);
    switch (node.op) {
      case Op::kConv:
      case Op::kGemm:
        assign(node.inputs[1], ConstantRole::kWeight);
        if (node.inputs.size() > 2) assign(node.inputs[2], ConstantRole::kNoDecay);
        break;
      case Op::kMatMul:
        assign(node.inputs[0], ConstantRole::kWeight);
        assign(node.inputs[1], ConstantRole::kWeight);
        break;
      case Op::kBatchNormalization:
        assign(node.inputs[1], ConstantRole::kNoDecay);
        assign(node.inputs[2], ConstantRole::kNoDecay);
        assign(node.inputs[3], ConstantRole::kRunningStat);
        assign(node.inputs[4], ConstantRole::kRunningStat);
        break;
      case Op::kAdd:  // the bias of a Dense layer imported as MatMul + Add
        for (int k = 0; k < 2; ++k) {
          int producer = graph.producer(node.inputs[static_cast<size_t>(1 - k)]);
          if (producer >= 0 && (graph.nodes[static_cast<size_t>(producer)].op == Op::kMatMul || graph.nodes[static_cast<size_t>(producer)].op == Op::kGemm))
            assign(node.inputs[static_cast<size_t>(k)], ConstantRole::kNoDecay);
        }
        break;
      case Op::kQuantizeLinear: {
        QATRT_RETURN_IF_ERROR(check_symmetric_int8(graph, node));
        QuantizerPair pair{.quantize = static_cast<int>(i), .weight = graph.is_constant(node.inputs[0])};
        const QuantParams params = qdq_params(node);
        if (pair.weight) {
          pair.axis = params.per_axis() ? params.axis : -1;
          assign(node.inputs[0], ConstantRole::kWeight);
        } else if (params.per_axis()) {
          return make_error(StatusCode::kUnsupported, node.describe(), ": a per-axis activation quantizer; the trainer quantizes activations per tensor");
        } else {
          pair.scale = params.scales[0];
        }
        if (graph.is_graph_output(node.outputs[0]))
          return make_error(StatusCode::kUnsupported, node.describe(), ": its int8 output is a graph output; the trainer needs Q→DQ pairs");
        for (int reader : graph.consumers(node.outputs[0])) {
          const Node& dq = graph.nodes[static_cast<size_t>(reader)];
          if (dq.op != Op::kDequantizeLinear || !(qdq_params(dq) == params))
            return make_error(StatusCode::kUnsupported, node.describe(), ": read by ", dq.describe(),
                              "; the trainer fake-quantizes Q→DQ pairs with equal parameters only");
          pair.dequantizes.push_back(reader);
        }
        t.quantizers.push_back(std::move(pair));
        break;
      }
      case Op::kDequantizeLinear: {
        const int producer = graph.producer(node.inputs[0]);
        if (producer < 0 || graph.nodes[static_cast<size_t>(producer)].op != Op::kQuantizeLinear)
          return make_error(StatusCode::kUnsupported, node.describe(), ": reads '", graph.value(node.inputs[0]).name,
                            "', not a QuantizeLinear output; the trainer fake-quantizes Q→DQ pairs only");
        break;
      }
      default: break;
    }
  }
  const int last = graph.producer(graph.outputs[0]);
  if (last >= 0 && graph.nodes[static_cast<size_t>(last)].op == Op::kSoftmax) t.final_softmax = last;
  return t;
}

}  // namespace qatrt
