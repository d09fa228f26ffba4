// The Keras layer classes qatrt imports: an explicit table, like src/onnx/op_table.h. Each converter reads
// its layer's config and weights through LayerContext, adds IR nodes and calls set_output.
// Adding a class: write its converter in the family file, declare it here, add a row in layer_table.cc.
#pragma once

#include <string>
#include <string_view>

#include "keras/layer_context.h"

namespace qatrt {

using LayerConverter = Status (*)(LayerContext& layer);

// nullptr for a class qatrt does not import.
LayerConverter find_layer_converter(std::string_view class_name);
// "Activation, Add, ..." for error messages.
std::string supported_layer_classes();

// conv_pool_layers.cc
Status convert_conv2d(LayerContext& layer);
Status convert_zero_padding2d(LayerContext& layer);
Status convert_max_pooling2d(LayerContext& layer);
Status convert_average_pooling2d(LayerContext& layer);
Status convert_global_average_pooling2d(LayerContext& layer);
// dense_layers.cc
Status convert_dense(LayerContext& layer);
Status convert_flatten(LayerContext& layer);
// normalization_layers.cc
Status convert_batch_normalization(LayerContext& layer);
// activation_layers.cc
Status convert_activation(LayerContext& layer);
Status convert_dropout(LayerContext& layer);
// merge_layers.cc
Status convert_add(LayerContext& layer);

// The "activation" of a layer (Conv2D, Dense, Activation) applied to x: linear → x itself, relu → Relu,
// softmax → Softmax over the channel axis (1 in the IR); anything else is an error naming it.
StatusOr<ValueId> apply_activation(LayerContext& layer, ValueId x, const std::string& activation);

}  // namespace qatrt
