// GraphModule: an IR graph (usually the recipe's Q/DQ graph) executed with libtorch autograd, the model
// the QAT trainer optimises. Node by node, NCHW, ONNX semantics (ops: trainer_supported_ops()):
//   * trained parameters are the float constants trainable_graph.h marks (weights, biases, BN gamma/beta);
//     BN running mean/var are buffers;
//   * each Q→DQ pair is fake quantization (fake_quantize.h): weights per channel with the range recomputed
//     from the current weights at every forward, activations per tensor with amax from calibration
//     (a trained parameter when ModuleOptions::learn_amax);
//   * BatchNormalization runs in training mode (batch statistics, running statistics updated with the
//     momentum convention of ONNX/Keras: running = m·running + (1 − m)·batch) or frozen (running statistics,
//     as at inference), never folded.
// This header is the only one that exposes libtorch types; it is included by src/train and its tests only.
#pragma once

#include <ATen/ATen.h>

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"
#include "train/trainable_graph.h"

namespace qatrt {

struct ModuleOptions {
  bool freeze_bn = false;
  bool learn_amax = false;
  // Used for BatchNormalization nodes without a "momentum" attribute (Keras' default; ONNX's is 0.9).
  float bn_momentum = 0.99f;
  at::Device device = at::kCPU;
};

struct NamedTensor {
  std::string name;   // the graph value's name (parameters, buffers) or the QuantizeLinear node's (amax)
  at::Tensor tensor;
  bool decay = false;  // parameters: weight decay applies
};

class GraphModule {
 public:
  static StatusOr<std::unique_ptr<GraphModule>> create(const Graph& graph, const ModuleOptions& options);

  // The class scores before the final Softmax (the loss's logits); the graph output when it has none.
  // training: batch-statistics BN (unless frozen) and autograd recording.
  StatusOr<at::Tensor> forward_logits(const at::Tensor& input, bool training);
  // The graph's own output (final Softmax applied), eval mode.
  StatusOr<at::Tensor> forward_output(const at::Tensor& input);

  // Trained tensors (weights, biases, BN scale/shift, and the activation amaxes when learned).
  const std::vector<NamedTensor>& parameters() const { return parameters_; }
  // Everything a checkpoint must hold besides optimizer state: parameters, BN running statistics, amaxes.
  std::vector<NamedTensor> state() const;

  // The graph with the current weights, BN parameters and statistics, and quantizer scales written back:
  // weight scales = per-channel max|W|/127 of the current weights, activation scales = amax/127 — exactly
  // the scales the forward pass uses. Exported through src/export, it computes what forward_output does.
  Graph trained_graph() const;

 private:
  GraphModule(TrainableGraph graph, const ModuleOptions& options) : t_(std::move(graph)), options_(options) {}
  Status initialise();
  StatusOr<at::Tensor> run(const at::Tensor& input, bool training, bool stop_before_softmax);
  at::Tensor run_node(const Node& node, int index, std::vector<at::Tensor>& env, bool training);

  TrainableGraph t_;
  ModuleOptions options_;
  std::vector<at::Tensor> constants_;        // by ValueId: every float constant (parameters share storage)
  std::vector<NamedTensor> parameters_;
  std::vector<NamedTensor> buffers_;
  std::vector<NamedTensor> amaxes_;          // one per activation quantizer, in t_.quantizers order
  std::vector<int> quantizer_of_node_;       // node index → index in t_.quantizers, or -1
  std::vector<int> amax_of_quantizer_;       // quantizer index → index in amaxes_, or -1 (weight)
};

// Converts between qatrt and libtorch float tensors (copies).
at::Tensor to_torch(const Tensor& tensor);
Tensor from_torch(const at::Tensor& tensor);

}  // namespace qatrt
