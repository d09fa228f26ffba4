#include "keras/model_topology.h"

namespace qatrt {

std::string TensorRef::key() const {
  return layer + ":" + std::to_string(node_index) + ":" + std::to_string(tensor_index);
}

namespace {

using nlohmann::json;

Status malformed(const std::string& where, const std::string& what) {
  return make_error(StatusCode::kCorrupt, "model.json: ", where, ": ", what,
                    "; re-export the model with tensorflowjs_converter --output_format tfjs_layers_model");
}

// ["layer", node_index, tensor_index, ...] as written in inbound_nodes, input_layers and output_layers.
StatusOr<TensorRef> read_tensor_ref(const json& entry, const std::string& where) {
  if (!entry.is_array() || entry.size() < 3 || !entry[0].is_string() || !entry[1].is_number_integer() ||
      !entry[2].is_number_integer())
    return malformed(where, "expected [\"layer\", node_index, tensor_index], got " + entry.dump());
  return TensorRef{entry[0].get<std::string>(), entry[1].get<int64_t>(), entry[2].get<int64_t>()};
}

StatusOr<std::vector<TensorRef>> read_tensor_refs(const json& list, const std::string& where) {
  if (!list.is_array()) return malformed(where, "expected a list");
  std::vector<TensorRef> refs;
  for (const json& entry : list) {
    QATRT_ASSIGN_OR_RETURN(TensorRef ref, read_tensor_ref(entry, where));
    refs.push_back(std::move(ref));
  }
  return refs;
}

Status read_layer_header(const json& layer, size_t index, std::string& name, std::string& class_name,
                         json& config) {
  std::string where = "layer #" + std::to_string(index);
  if (!layer.is_object() || !layer.contains("class_name") || !layer["class_name"].is_string() ||
      !layer.contains("config") || !layer["config"].is_object())
    return malformed(where, "expected an object with \"class_name\" and \"config\"");
  class_name = layer["class_name"].get<std::string>();
  config = layer["config"];
  if (layer.contains("name") && layer["name"].is_string()) {
    name = layer["name"].get<std::string>();
  } else if (config.contains("name") && config["name"].is_string()) {
    name = config["name"].get<std::string>();
  } else {
    return malformed(where + " (" + class_name + ")", "the layer has no name");
  }
  return {};
}

StatusOr<ModelTopology> read_functional(const json& config) {
  ModelTopology topology;
  if (config.contains("name") && config["name"].is_string()) topology.name = config["name"].get<std::string>();
  if (!config.contains("layers") || !config["layers"].is_array())
    return malformed("model_config.config", "no \"layers\" list");
  const json& layers = config["layers"];
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerCall call;
    QATRT_RETURN_IF_ERROR(read_layer_header(layers[i], i, call.name, call.class_name, call.config));
    const json& inbound = layers[i].contains("inbound_nodes") ? layers[i]["inbound_nodes"] : json::array();
    std::string where = "layer '" + call.name + "' (" + call.class_name + ") inbound_nodes";
    if (!inbound.is_array()) return malformed(where, "expected a list");
    if (inbound.empty()) {  // an InputLayer: called once, by the model itself
      topology.calls.push_back(std::move(call));
      continue;
    }
    for (size_t n = 0; n < inbound.size(); ++n) {
      LayerCall each = call;
      each.node_index = static_cast<int64_t>(n);
      QATRT_ASSIGN_OR_RETURN(each.inputs, read_tensor_refs(inbound[n], where));
      topology.calls.push_back(std::move(each));
    }
  }
  if (!config.contains("input_layers") || !config.contains("output_layers"))
    return malformed("model_config.config", "no \"input_layers\" / \"output_layers\"");
  QATRT_ASSIGN_OR_RETURN(topology.inputs, read_tensor_refs(config["input_layers"], "input_layers"));
  QATRT_ASSIGN_OR_RETURN(topology.outputs, read_tensor_refs(config["output_layers"], "output_layers"));
  return topology;
}

// Keras ≤ 2.2.2 writes a Sequential config as the bare layer list; later versions as {"name", "layers"}.
StatusOr<ModelTopology> read_sequential(const json& config) {
  ModelTopology topology;
  const json* layers = &config;
  if (config.is_object()) {
    if (config.contains("name") && config["name"].is_string()) topology.name = config["name"].get<std::string>();
    if (!config.contains("layers")) return malformed("model_config.config", "no \"layers\" list");
    layers = &config["layers"];
  }
  if (!layers->is_array() || layers->empty()) return malformed("model_config.config", "empty \"layers\" list");
  for (size_t i = 0; i < layers->size(); ++i) {
    LayerCall call;
    QATRT_RETURN_IF_ERROR(read_layer_header((*layers)[i], i, call.name, call.class_name, call.config));
    if (topology.calls.empty() && call.class_name != "InputLayer") {
      // Keras names the implicit input "<first layer>_input".
      if (!call.config.contains("batch_input_shape"))
        return malformed("layer '" + call.name + "' (" + call.class_name + ")",
                         "the first layer of a Sequential model needs \"batch_input_shape\"");
      LayerCall input;
      input.name = call.name + "_input";
      input.class_name = "InputLayer";
      input.config = {{"batch_input_shape", call.config["batch_input_shape"]},
                      {"dtype", call.config.value("dtype", json("float32"))}};
      topology.calls.push_back(std::move(input));
    }
    if (!topology.calls.empty()) call.inputs = {topology.calls.back().output()};
    topology.calls.push_back(std::move(call));
  }
  topology.inputs = {topology.calls.front().output()};
  topology.outputs = {topology.calls.back().output()};
  return topology;
}

}  // namespace

StatusOr<ModelTopology> read_topology(const json& model_json) {
  if (!model_json.is_object()) return malformed("top level", "expected an object");
  if (model_json.contains("format") && model_json["format"] != "layers-model")
    return make_error(StatusCode::kUnsupported, "model.json: format ", model_json["format"].dump(),
                      " is not supported; qatrt reads TF.js layers models (\"layers-model\"); convert a Keras model "
                      "with tensorflowjs_converter --output_format tfjs_layers_model");
  if (!model_json.contains("modelTopology") || !model_json["modelTopology"].is_object())
    return malformed("top level", "no \"modelTopology\" object");
  const json& topology_json = model_json["modelTopology"];
  // The converter nests the Keras config under "model_config"; tf.LayersModel.save() writes it directly.
  const json& model_config = topology_json.contains("model_config") ? topology_json["model_config"] : topology_json;
  if (!model_config.contains("class_name") || !model_config.contains("config"))
    return malformed("modelTopology", "no \"class_name\" / \"config\"");
  std::string class_name = model_config["class_name"].is_string() ? model_config["class_name"].get<std::string>() : "";
  StatusOr<ModelTopology> topology = make_error(StatusCode::kUnsupported, "model.json: model class '", class_name,
                                                "' is not supported; save a functional Model or a Sequential model");
  if (class_name == "Model" || class_name == "Functional") topology = read_functional(model_config["config"]);
  if (class_name == "Sequential") topology = read_sequential(model_config["config"]);
  if (!topology.ok()) return topology;
  if (!model_json.contains("weightsManifest") || !model_json["weightsManifest"].is_array())
    return malformed("top level", "no \"weightsManifest\" list");
  topology->weights_manifest = model_json["weightsManifest"];
  return topology;
}

}  // namespace qatrt
