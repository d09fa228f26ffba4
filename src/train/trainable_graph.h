// The analysis the trainer needs before it can run an IR graph with autograd (libtorch-free):
//   * which float constants are trained (weights, biases, BN gamma/beta), which are BN running statistics
//     (buffers), and which stay fixed;
//   * every Q→DQ pair, as a weight quantizer (per-channel, range from the current weights) or an activation
//     quantizer (per-tensor, range from calibration);
//   * the graph's final Softmax, whose input is the loss's logits.
// An int8 weight read by a DequantizeLinear (ONNX Runtime's Q/DQ format) is expanded to its float value
// followed by a QuantizeLinear with the same parameters, so both export formats train the same way.
// Anything the trainer cannot run is an error naming the node.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

enum class ConstantRole {
  kFixed,         // read as is (e.g. a constant Mul operand)
  kWeight,        // trained, with weight decay: Conv / Gemm / MatMul weights
  kNoDecay,       // trained, without weight decay: biases, BN scale and shift
  kRunningStat,   // BN running mean / variance: updated by training-mode BN, not by the optimizer
};

struct QuantizerPair {
  int quantize = -1;     // node index of the QuantizeLinear
  std::vector<int> dequantizes;  // the DequantizeLinear nodes reading it
  bool weight = false;   // input is a constant (a weight): per-channel range from the weights
  int64_t axis = -1;     // weight: the channel axis, -1 for a per-tensor weight quantizer
  float scale = 1.0f;    // activation: the calibrated per-tensor scale
};

struct TrainableGraph {
  Graph graph;                              // the input graph, int8 weights expanded (see above)
  std::map<ValueId, ConstantRole> roles;    // every float constant read by a node
  std::vector<QuantizerPair> quantizers;    // in node order
  int final_softmax = -1;                   // node index, or -1 when the output is already the logits
};

StatusOr<TrainableGraph> prepare_trainable_graph(const Graph& graph);

// The ops the trainer runs, for error messages and docs.
const std::vector<Op>& trainer_supported_ops();

}  // namespace qatrt
