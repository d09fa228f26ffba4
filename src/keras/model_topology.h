// The layer graph of a TF.js layers model.json, read into a flat list of layer calls.
//
// model.json: {"format": "layers-model", "modelTopology": {"model_config": {"class_name": "Model" |
// "Sequential", "config": {...}}}, "weightsManifest": [...]}. A functional Model lists its layers with
// "inbound_nodes" = [[["producer", node_index, tensor_index, {kwargs}], ...], ...] (one entry per call of the
// layer); a Sequential model chains its layers, and gets an InputLayer made from the first layer's
// batch_input_shape when it has none. Both become LayerCalls reading TensorRefs.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace qatrt {

// Output `tensor_index` of call `node_index` of layer `layer` (Keras' own addressing of a tensor).
struct TensorRef {
  std::string layer;
  int64_t node_index = 0;
  int64_t tensor_index = 0;
  std::string key() const;  // "layer:node:tensor"
};

// One application of a layer: the layer's class and config, and the tensors it reads.
struct LayerCall {
  std::string name;  // the layer's name
  std::string class_name;
  nlohmann::json config;
  int64_t node_index = 0;  // which call of this layer (0 unless the layer is shared)
  std::vector<TensorRef> inputs;
  TensorRef output() const { return {name, node_index, 0}; }
};

struct ModelTopology {
  std::string name;
  std::vector<LayerCall> calls;  // in file order, which Keras writes topologically
  std::vector<TensorRef> inputs;
  std::vector<TensorRef> outputs;
  nlohmann::json weights_manifest;  // the "weightsManifest" array
};

// Reads the parsed model.json. Errors name the JSON field that is missing or malformed.
StatusOr<ModelTopology> read_topology(const nlohmann::json& model_json);

}  // namespace qatrt
