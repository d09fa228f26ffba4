// Activation (and the "activation" field of Conv2D / Dense), Dropout.
#include "keras/layer_table.h"

namespace qatrt {

StatusOr<ValueId> apply_activation(LayerContext& layer, ValueId x, const std::string& activation) {
  if (activation == "linear") return x;
  if (activation == "relu") return layer.add_node(Op::kRelu, {x});
  // Keras' softmax runs over the last (channel) axis, which is axis 1 in the IR for both [N,C] and NCHW.
  if (activation == "softmax") return layer.add_node(Op::kSoftmax, {x}, {{"axis", int64_t{1}}});
  return layer.error(StatusCode::kUnsupported, "activation '", activation,
                     "' is not supported (linear, relu, softmax are); replace it in the Keras model");
}

Status convert_activation(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_ASSIGN_OR_RETURN(std::string activation, layer.config_string("activation", ""));
  QATRT_ASSIGN_OR_RETURN(ValueId out, apply_activation(layer, layer.input(0), activation));
  layer.set_output(out);
  return {};
}

// Dropout is the identity at inference.
Status convert_dropout(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  layer.set_output(layer.input(0));
  return {};
}

}  // namespace qatrt
