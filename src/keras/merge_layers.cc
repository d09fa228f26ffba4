// Add: Keras sums any number (≥ 2) of same-shape tensors; the IR's Add is binary, so a chain.
#include "keras/layer_table.h"

namespace qatrt {

Status convert_add(LayerContext& layer) {
  if (layer.input_count() < 2)
    return layer.error(StatusCode::kCorrupt, "needs at least 2 inputs, the model gives it ", layer.input_count());
  for (size_t i = 1; i < layer.input_count(); ++i)
    if (layer.input_shape(i) != layer.input_shape(0))
      return layer.error(StatusCode::kUnsupported, "input shapes differ (IR ", shape_to_string(layer.input_shape(0)),
                         " vs ", shape_to_string(layer.input_shape(i)), "); qatrt's Add layer sums same-shape tensors");
  ValueId sum = layer.input(0);
  for (size_t i = 1; i < layer.input_count(); ++i) {
    QATRT_ASSIGN_OR_RETURN(sum, layer.add_node(Op::kAdd, {sum, layer.input(i)}));
  }
  layer.set_output(sum);
  return {};
}

}  // namespace qatrt
