// Reading and writing the normalised Q/DQ attributes (src/ir/ops.h): "scale" (floats), "zero_point" (ints),
// "axis" (int), and QuantizeLinear's "output_dtype". Plus the questions passes ask about a Q or DQ node.
#pragma once

#include <string>

#include "core/quant.h"
#include "ir/graph.h"
#include "passes/graph_index.h"

namespace qatrt {

QuantParams qdq_params(const Node& node);
void set_qdq_params(Node& node, const QuantParams& params);
// QuantizeLinear's output type (ONNX default uint8 when the attribute is absent).
DType quantize_output_dtype(const Node& quantize);

Node make_quantize_node(std::string name, ValueId input, ValueId output, const QuantParams& params, DType type);
Node make_dequantize_node(std::string name, ValueId input, ValueId output, const QuantParams& params);

// The same params, per-axis ones expanded to `channels` entries along `axis` (per-tensor ones repeated).
QuantParams expand_per_channel(const QuantParams& params, int64_t channels, int64_t axis);

// A new value like `like` (shape), named from `base`, with the given dtype and quant (quant only kept for
// int8/uint8). Returns its id.
ValueId add_value_like(Graph& graph, ValueId like, const std::string& base, DType dtype,
                       const std::optional<QuantParams>& quant);

// An activation DQ a pass may move or fuse: reads a non-constant int8/uint8 value whose Value::quant equals
// the DQ's own attributes, per-tensor. nullptr otherwise (why not: see describe_activation_dq).
const Node* activation_dq(const Graph& graph, const GraphIndex& index, ValueId dequantized);
// Empty when activation_dq(value) would succeed; else the reason, e.g. "input not quantized: no DQ before it".
std::string describe_activation_dq(const Graph& graph, const GraphIndex& index, ValueId dequantized);

// A weight DQ: DequantizeLinear of an int8/uint8 constant. nullptr otherwise.
const Node* weight_dq(const Graph& graph, const GraphIndex& index, ValueId dequantized);

}  // namespace qatrt
