// Dense and Flatten.
#include "keras/layer_table.h"
#include "keras/weight_layout.h"

namespace qatrt {

// Dense on [N,features] → Gemm with B = kernelᵀ [units, in] and transB = 1 (the layout per-output-channel
// weight quantization wants). Keras applies Dense on an image [N,H,W,C] at every position along the last
// axis — flattening would be wrong — which in the NCHW IR is exactly a 1×1 Conv with weights [units, C, 1, 1].
Status convert_dense(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_RETURN_IF_ERROR(layer.expect_input_rank(0, {2, 4}));
  QATRT_ASSIGN_OR_RETURN(int64_t units, layer.config_int("units"));
  QATRT_ASSIGN_OR_RETURN(bool use_bias, layer.config_bool("use_bias", true));
  QATRT_ASSIGN_OR_RETURN(std::string activation, layer.config_string("activation", "linear"));
  bool image = layer.input_shape(0).size() == 4;
  int64_t features = layer.input_shape(0)[1];
  if (features < 0)
    return layer.error(StatusCode::kUnsupported, "input features are unknown (IR shape ",
                       shape_to_string(layer.input_shape(0)), "); give the InputLayer a fixed batch_input_shape");
  QATRT_ASSIGN_OR_RETURN(Tensor kernel, layer.weight("kernel", {features, units}));
  Tensor weight = transpose_2d(kernel);
  if (image) weight = weight.reshaped({units, features, 1, 1});
  std::vector<ValueId> inputs = {layer.input(0), layer.add_constant("kernel", weight)};
  if (use_bias) {
    QATRT_ASSIGN_OR_RETURN(Tensor bias, layer.weight("bias", {units}));
    inputs.push_back(layer.add_constant("bias", bias));
  }
  StatusOr<ValueId> product =
      image ? layer.add_node(Op::kConv, inputs, {{"strides", std::vector<int64_t>{1, 1}},
                                                 {"pads", std::vector<int64_t>{0, 0, 0, 0}},
                                                 {"dilations", std::vector<int64_t>{1, 1}},
                                                 {"group", int64_t{1}}})
            : layer.add_node(Op::kGemm, inputs, {{"transB", int64_t{1}}});
  if (!product.ok()) return product.status();
  QATRT_ASSIGN_OR_RETURN(ValueId out, apply_activation(layer, *product, activation));
  layer.set_output(out);
  return {};
}

// Keras flattens an image in its NHWC order (h, w, c); the IR holds NCHW, so a Transpose back to NHWC comes
// first — skipped when H = W = 1, where both orders agree.
Status convert_flatten(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_channels_last());
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_RETURN_IF_ERROR(layer.expect_input_rank(0, {2, 4}));
  const Shape& x = layer.input_shape(0);
  if (x.size() == 2) {
    layer.set_output(layer.input(0));
    return {};
  }
  ValueId nhwc = layer.input(0);
  if (x[2] != 1 || x[3] != 1) {
    QATRT_ASSIGN_OR_RETURN(nhwc, layer.add_node(Op::kTranspose, {nhwc}, {{"perm", std::vector<int64_t>{0, 2, 3, 1}}}));
  }
  QATRT_ASSIGN_OR_RETURN(ValueId flat, layer.add_node(Op::kFlatten, {nhwc}, {{"axis", int64_t{1}}}));
  layer.set_output(flat);
  return {};
}

}  // namespace qatrt
