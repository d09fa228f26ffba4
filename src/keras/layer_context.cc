#include "keras/layer_context.h"

#include <algorithm>

#include "ir/shape_inference.h"

namespace qatrt {

using nlohmann::json;

LayerContext::LayerContext(const LayerCall& call, Graph& graph, const WeightStore& weights,
                           std::vector<ValueId> inputs)
    : call_(call), graph_(graph), weights_(weights), inputs_(std::move(inputs)) {
  prefix_ = call.node_index == 0 ? call.name : graph.unique_name(call.name);
}

std::string LayerContext::describe() const { return "layer '" + call_.name + "' (" + call_.class_name + ")"; }

const json* LayerContext::config_value(const std::string& key) const {
  auto it = call_.config.find(key);
  return it == call_.config.end() ? nullptr : &*it;
}

StatusOr<std::string> LayerContext::config_string(const std::string& key, const std::string& fallback) const {
  const json* value = config_value(key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_string()) return error(StatusCode::kCorrupt, "config '", key, "' = ", value->dump(), " is not a string");
  return value->get<std::string>();
}

StatusOr<bool> LayerContext::config_bool(const std::string& key, bool fallback) const {
  const json* value = config_value(key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_boolean()) return error(StatusCode::kCorrupt, "config '", key, "' = ", value->dump(), " is not a bool");
  return value->get<bool>();
}

StatusOr<int64_t> LayerContext::config_int(const std::string& key) const {
  const json* value = config_value(key);
  if (!value) return error(StatusCode::kCorrupt, "config has no '", key, "'; re-export the model");
  if (!value->is_number_integer())
    return error(StatusCode::kCorrupt, "config '", key, "' = ", value->dump(), " is not an integer");
  return value->get<int64_t>();
}

StatusOr<float> LayerContext::config_float(const std::string& key, float fallback) const {
  const json* value = config_value(key);
  if (!value || value->is_null()) return fallback;
  if (!value->is_number()) return error(StatusCode::kCorrupt, "config '", key, "' = ", value->dump(), " is not a number");
  return value->get<float>();
}

StatusOr<std::vector<int64_t>> LayerContext::config_tuple(const std::string& key, size_t count,
                                                          std::vector<int64_t> fallback) const {
  const json* value = config_value(key);
  if (!value || value->is_null()) {
    if (fallback.empty()) return error(StatusCode::kCorrupt, "config has no '", key, "'; re-export the model");
    return fallback;
  }
  std::vector<int64_t> result;
  if (value->is_number_integer()) result.assign(count, value->get<int64_t>());
  if (value->is_array())
    for (const json& item : *value)
      result.push_back(item.is_number_integer() ? item.get<int64_t>() : 0);
  bool valid = result.size() == count && std::all_of(result.begin(), result.end(), [](int64_t v) { return v > 0; });
  if (!valid)
    return error(StatusCode::kCorrupt, "config '", key, "' = ", value->dump(), " is not ", count, " positive integers");
  return result;
}

Status LayerContext::expect_channels_last() const {
  QATRT_ASSIGN_OR_RETURN(std::string format, config_string("data_format", "channels_last"));
  if (format != "channels_last")
    return error(StatusCode::kUnsupported, "data_format '", format,
                 "' is not supported; qatrt imports channels_last Keras models (the TF default): rebuild the model "
                 "with data_format='channels_last' and copy the weights");
  return {};
}

Status LayerContext::expect_input_count(size_t count) const {
  if (inputs_.size() != count)
    return error(StatusCode::kCorrupt, "expects ", count, " input(s), the model gives it ", inputs_.size());
  return {};
}

Status LayerContext::expect_input_rank(size_t i, std::initializer_list<size_t> ranks) const {
  size_t rank = input_shape(i).size();
  if (std::find(ranks.begin(), ranks.end(), rank) == ranks.end()) {
    std::string allowed;
    for (size_t r : ranks) allowed += (allowed.empty() ? "" : " or ") + std::to_string(r);
    return error(StatusCode::kUnsupported, "input '", graph_.value(inputs_[i]).name, "' has rank ", rank, " (IR shape ",
                 shape_to_string(input_shape(i)), "); this layer is supported on rank ", allowed, " inputs only");
  }
  return {};
}

StatusOr<Tensor> LayerContext::weight(const std::string& param, const Shape& expected) const {
  std::string name = call_.name + "/" + param;
  const Tensor* tensor = weights_.find(name);
  if (!tensor)
    return error(StatusCode::kNotFound, "weight '", name, "' is not in the weights manifest; the model.json and "
                 "its shards do not match: re-export both together");
  if (tensor->shape() != expected)
    return error(StatusCode::kCorrupt, "weight '", name, "' has shape ", shape_to_string(tensor->shape()),
                 ", the layer config implies ", shape_to_string(expected), "; re-export the model");
  return *tensor;
}

ValueId LayerContext::add_constant(const std::string& role, Tensor tensor) {
  return graph_.add_constant(graph_.unique_name(prefix_ + "/" + role), std::move(tensor));
}

StatusOr<ValueId> LayerContext::add_node(Op op, std::vector<ValueId> inputs, std::map<std::string, AttrValue> attrs) {
  std::string suffix = std::string("/").append(op_name(op));  // not "/" + …: GCC 12 false -Wrestrict
  std::string node_name = created_.empty() ? prefix_ : graph_.unique_name(prefix_ + suffix);
  // Until set_output renames the layer's result, the first node's value is "<layer>/<Op>", later ones are
  // named like their node.
  std::string value_name = created_.empty() ? prefix_ + suffix : node_name;
  if (graph_.find_value(value_name) != kNoValue) value_name = graph_.unique_name(value_name);
  ValueId out = graph_.add_value({.name = value_name});
  created_.push_back(out);
  Node& node = graph_.add_node({.name = node_name, .op = op, .inputs = std::move(inputs), .outputs = {out},
                                .attrs = std::move(attrs)});
  QATRT_RETURN_IF_ERROR(infer_node_shapes(graph_, node).with_context(describe()));
  return out;
}

void LayerContext::set_output(ValueId id) {
  output_ = id;
  if (std::find(created_.begin(), created_.end(), id) != created_.end()) graph_.value(id).name = prefix_;
}

}  // namespace qatrt
