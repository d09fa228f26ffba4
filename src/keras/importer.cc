// The import driver: model.json → topology → weights → one converter per layer call → fold zero padding →
// shape inference + verification.
#include "keras/importer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "ir/shape_inference.h"
#include "ir/verifier.h"
#include "keras/fold_zero_padding.h"
#include "keras/layer_table.h"
#include "keras/model_topology.h"
#include "keras/weight_shards.h"

namespace qatrt {
namespace {

using nlohmann::json;

std::string describe(const LayerCall& call) { return "layer '" + call.name + "' (" + call.class_name + ")"; }

// InputLayer → a float graph input; an image [N,H,W,C] becomes [N,C,H,W] with N always dynamic.
StatusOr<ValueId> add_graph_input(Graph& graph, const LayerCall& call) {
  const json& config = call.config;
  const json* shape_json = config.contains("batch_input_shape") ? &config["batch_input_shape"]
                           : config.contains("batch_shape")     ? &config["batch_shape"]
                                                                : nullptr;
  if (!shape_json || !shape_json->is_array())
    return make_error(StatusCode::kCorrupt, describe(call), ": config has no batch_input_shape; re-export the model");
  std::string dtype = config.contains("dtype") && config["dtype"].is_string() ? config["dtype"].get<std::string>()
                                                                                : "float32";
  if (dtype != "float32")
    return make_error(StatusCode::kUnsupported, describe(call), ": input dtype ", dtype,
                      " is not supported; qatrt models take float32 images (feed raw pixels as float)");
  Shape keras_shape;
  for (size_t i = 1; i < shape_json->size(); ++i) {
    const json& dim = (*shape_json)[i];
    if (!dim.is_number_integer() || dim.get<int64_t>() <= 0)
      return make_error(StatusCode::kUnsupported, describe(call), ": batch_input_shape ", shape_json->dump(),
                        " has an unknown non-batch dimension; give the InputLayer a fixed shape (e.g. [null, 224, "
                        "224, 3])");
    keras_shape.push_back(dim.get<int64_t>());
  }
  Shape shape = {kDynamicDim};
  if (keras_shape.size() == 3) {
    shape.insert(shape.end(), {keras_shape[2], keras_shape[0], keras_shape[1]});
  } else if (keras_shape.size() == 1) {
    shape.push_back(keras_shape[0]);
  } else {
    return make_error(StatusCode::kUnsupported, describe(call), ": batch_input_shape ", shape_json->dump(),
                      " is neither an image [N,H,W,C] nor a vector [N,features]; qatrt imports those two only");
  }
  return graph.add_value({.name = call.name, .dtype = DType::kFloat32, .shape = shape});
}

Status check_layer_dtype(const LayerCall& call) {
  auto it = call.config.find("dtype");
  if (it == call.config.end() || it->is_null() || *it == "float32") return {};
  return make_error(StatusCode::kUnsupported, describe(call), ": dtype ", it->dump(),
                    " is not supported; qatrt imports float32 Keras models (quantization happens in qatrt)");
}

StatusOr<std::vector<ValueId>> resolve(const std::map<std::string, ValueId>& tensors,
                                       const std::vector<TensorRef>& refs, const std::string& reader) {
  std::vector<ValueId> ids;
  for (const TensorRef& ref : refs) {
    auto it = tensors.find(ref.key());
    if (it == tensors.end())
      return make_error(StatusCode::kCorrupt, reader, " reads output ", ref.tensor_index, " of call ", ref.node_index,
                        " of layer '", ref.layer, "', which no layer produces (or only in a cycle); re-export the "
                        "model");
    ids.push_back(it->second);
  }
  return ids;
}

Status convert_call(const LayerCall& call, const std::vector<ValueId>& inputs, Graph& graph, const WeightStore& weights,
                    ValueId& output) {
  LayerConverter convert = find_layer_converter(call.class_name);
  if (!convert)
    return make_error(StatusCode::kUnsupported, describe(call), ": layer class '", call.class_name,
                      "' is not supported; qatrt imports ", supported_layer_classes(),
                      ". Replace the layer in the Keras model or add a converter (src/keras/layer_table.h)");
  QATRT_RETURN_IF_ERROR(check_layer_dtype(call));
  LayerContext layer(call, graph, weights, inputs);
  QATRT_RETURN_IF_ERROR(convert(layer));
  if (layer.output() == kNoValue)
    return make_error(StatusCode::kInternal, describe(call), ": the converter set no output");
  output = layer.output();
  return {};
}

// Converts the calls in file order, which Keras writes topologically — except that every call of a shared
// layer sits at the layer's place — so a call whose inputs are not there yet waits for the next sweep.
StatusOr<Graph> build_graph(const ModelTopology& topology, const WeightStore& weights) {
  Graph graph;
  graph.name = topology.name;
  std::map<std::string, ValueId> tensors;  // TensorRef::key() → IR value
  std::vector<ValueId> input_layers;
  std::vector<const LayerCall*> pending;
  for (const LayerCall& call : topology.calls) pending.push_back(&call);
  while (!pending.empty()) {
    std::vector<const LayerCall*> waiting;
    for (const LayerCall* call : pending) {
      ValueId output = kNoValue;
      if (call->class_name == "InputLayer") {
        QATRT_ASSIGN_OR_RETURN(output, add_graph_input(graph, *call));
        input_layers.push_back(output);
      } else {
        auto inputs = resolve(tensors, call->inputs, describe(*call));
        if (!inputs.ok()) {
          waiting.push_back(call);
          continue;
        }
        QATRT_RETURN_IF_ERROR(convert_call(*call, *inputs, graph, weights, output));
      }
      tensors[call->output().key()] = output;
    }
    if (waiting.size() == pending.size()) return resolve(tensors, waiting.front()->inputs, describe(*waiting.front())).status();
    pending = std::move(waiting);
  }
  QATRT_ASSIGN_OR_RETURN(graph.inputs, resolve(tensors, topology.inputs, "the model's input_layers"));
  std::vector<ValueId> listed = graph.inputs, made = input_layers;
  std::sort(listed.begin(), listed.end());
  std::sort(made.begin(), made.end());
  if (listed != made)
    return make_error(StatusCode::kUnsupported, "the model's input_layers do not name its InputLayers one to one; "
                      "qatrt needs every model input to be an InputLayer");
  QATRT_ASSIGN_OR_RETURN(graph.outputs, resolve(tensors, topology.outputs, "the model's output_layers"));
  return graph;
}

StatusOr<Graph> import_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return make_error(StatusCode::kNotFound, "cannot open '", path.string(),
                      "'; pass the model.json of a TF.js layers model");
  std::stringstream text;
  text << file.rdbuf();
  json model_json = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (model_json.is_discarded())
    return make_error(StatusCode::kCorrupt, "'", path.string(), "' is not valid JSON; pass a TF.js model.json");
  QATRT_ASSIGN_OR_RETURN(ModelTopology topology, read_topology(model_json));
  QATRT_ASSIGN_OR_RETURN(WeightStore weights, WeightStore::load(topology.weights_manifest, path.parent_path()));
  QATRT_ASSIGN_OR_RETURN(Graph graph, build_graph(topology, weights));
  fold_zero_padding(graph);
  graph.compact();
  QATRT_RETURN_IF_ERROR(infer_shapes(graph));
  QATRT_RETURN_IF_ERROR(verify_graph(graph));
  return graph;
}

}  // namespace

StatusOr<Graph> import_keras_tfjs(const std::string& model_json_path) {
  const std::string context = "while importing Keras model '" + model_json_path + "'";
  // The readers check JSON types before reading; this only keeps a case they missed from escaping as an
  // exception across the API.
  try {
    StatusOr<Graph> graph = import_file(model_json_path);
    if (!graph.ok()) return graph.status().with_context(context);
    return graph;
  } catch (const json::exception& e) {
    return make_error(StatusCode::kCorrupt, "malformed model.json: ", e.what()).with_context(context);
  }
}

}  // namespace qatrt
