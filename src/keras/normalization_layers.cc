// BatchNormalization (inference form). It stays a node — the passes fold it into the preceding conv — so
// the importer only maps Keras' channel axis onto the IR's axis 1 and fills absent gamma / beta.
#include "keras/layer_table.h"

namespace qatrt {

Status convert_batch_normalization(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_RETURN_IF_ERROR(layer.expect_input_rank(0, {2, 4}));
  const Shape& x = layer.input_shape(0);
  const auto keras_rank = static_cast<int64_t>(x.size());
  // Keras 2.2 writes "axis": 3; tf.keras writes [3]. Only the channel (last) axis maps onto the IR's axis 1.
  const nlohmann::json* axis_json = layer.config_value("axis");
  int64_t axis = -1;
  if (axis_json && axis_json->is_array() && axis_json->size() == 1 && (*axis_json)[0].is_number_integer())
    axis = (*axis_json)[0].get<int64_t>();
  else if (axis_json && axis_json->is_number_integer())
    axis = axis_json->get<int64_t>();
  else if (axis_json)
    return layer.error(StatusCode::kUnsupported, "axis ", axis_json->dump(),
                       " is not supported; normalize over the channel (last) axis only");
  if (axis != -1 && axis != keras_rank - 1)
    return layer.error(StatusCode::kUnsupported, "axis ", axis, " of a rank-", keras_rank,
                       " input is not the channel axis; qatrt supports BatchNormalization over channels only");
  QATRT_ASSIGN_OR_RETURN(float epsilon, layer.config_float("epsilon", 1e-3f));
  QATRT_ASSIGN_OR_RETURN(bool center, layer.config_bool("center", true));
  QATRT_ASSIGN_OR_RETURN(bool scale, layer.config_bool("scale", true));
  int64_t channels = x[1];
  Shape per_channel = {channels};
  Tensor gamma = Tensor::from_vector<float>(per_channel, std::vector<float>(channels, 1.0f));
  Tensor beta(DType::kFloat32, per_channel);
  if (scale) {
    QATRT_ASSIGN_OR_RETURN(gamma, layer.weight("gamma", per_channel));
  }
  if (center) {
    QATRT_ASSIGN_OR_RETURN(beta, layer.weight("beta", per_channel));
  }
  QATRT_ASSIGN_OR_RETURN(Tensor mean, layer.weight("moving_mean", per_channel));
  QATRT_ASSIGN_OR_RETURN(Tensor variance, layer.weight("moving_variance", per_channel));
  std::vector<ValueId> inputs = {layer.input(0), layer.add_constant("gamma", gamma), layer.add_constant("beta", beta),
                                 layer.add_constant("moving_mean", mean),
                                 layer.add_constant("moving_variance", variance)};
  QATRT_ASSIGN_OR_RETURN(ValueId out, layer.add_node(Op::kBatchNormalization, inputs, {{"epsilon", epsilon}}));
  layer.set_output(out);
  return {};
}

}  // namespace qatrt
