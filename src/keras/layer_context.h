// LayerContext: what a layer converter (one function per Keras class, see layer_table.h) works with.
// It wraps one call of a Keras layer and the IR under construction, and gives:
//   * typed config reads whose errors name the layer, its class, the key and the value found;
//   * the layer's input values (4-D ones are NCHW in the IR) with their inferred shapes;
//   * weights from the manifest ("<layer>/<param>"), checked against the shape the config implies;
//   * node creation: the first node of the layer is named after the layer, later ones "<layer>/<Op>"; each
//     node's shapes are inferred at once so the next converter sees them; the layer's output value is named
//     after the layer (set_output).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"
#include "keras/model_topology.h"
#include "keras/weight_shards.h"

namespace qatrt {

class LayerContext {
 public:
  LayerContext(const LayerCall& call, Graph& graph, const WeightStore& weights, std::vector<ValueId> inputs);

  // "layer 'conv1' (Conv2D)": the prefix of every error about this layer.
  std::string describe() const;
  template <typename... Parts>
  Status error(StatusCode code, const Parts&... parts) const {
    return make_error(code, describe(), ": ", parts...);
  }

  // Config reads: absent → fallback; present with another type → error naming the key and the value.
  StatusOr<std::string> config_string(const std::string& key, const std::string& fallback) const;
  StatusOr<bool> config_bool(const std::string& key, bool fallback) const;
  StatusOr<int64_t> config_int(const std::string& key) const;  // required
  StatusOr<float> config_float(const std::string& key, float fallback) const;
  // A tuple like kernel_size / strides: a list of `count` positive ints, or one int meaning it `count` times.
  // `fallback` is used when the key is absent or null (empty fallback → required).
  StatusOr<std::vector<int64_t>> config_tuple(const std::string& key, size_t count,
                                              std::vector<int64_t> fallback = {}) const;
  const nlohmann::json* config_value(const std::string& key) const;  // nullptr if absent
  // Refuses data_format other than channels_last (NCHW Keras models are not supported).
  Status expect_channels_last() const;

  size_t input_count() const { return inputs_.size(); }
  ValueId input(size_t i) const { return inputs_[i]; }
  const Shape& input_shape(size_t i) const { return graph_.value(inputs_[i]).shape; }
  Status expect_input_count(size_t count) const;
  // The input's IR rank must be one of `ranks` (2 = [N,features], 4 = an NCHW image).
  Status expect_input_rank(size_t i, std::initializer_list<size_t> ranks) const;

  // The manifest weight "<layer>/<param>", which must have `expected` shape.
  StatusOr<Tensor> weight(const std::string& param, const Shape& expected) const;

  ValueId add_constant(const std::string& role, Tensor tensor);
  // Adds a node reading `inputs` with one new float output, infers its shape and returns the output.
  StatusOr<ValueId> add_node(Op op, std::vector<ValueId> inputs, std::map<std::string, AttrValue> attrs = {});

  // The layer's result; it takes the layer's name if this layer produced it.
  void set_output(ValueId id);
  ValueId output() const { return output_; }

 private:
  const LayerCall& call_;
  Graph& graph_;
  const WeightStore& weights_;
  std::vector<ValueId> inputs_;
  std::string prefix_;  // node name stem: the layer name, made unique for a second call of a shared layer
  std::vector<ValueId> created_;
  ValueId output_ = kNoValue;
};

}  // namespace qatrt
