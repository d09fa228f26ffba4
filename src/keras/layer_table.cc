#include "keras/layer_table.h"

#include <array>
#include <utility>

namespace qatrt {
namespace {

constexpr std::array<std::pair<std::string_view, LayerConverter>, 12> kLayerTable = {{
    {"Activation", convert_activation},
    {"Add", convert_add},
    {"AveragePooling2D", convert_average_pooling2d},
    {"BatchNormalization", convert_batch_normalization},
    {"Conv2D", convert_conv2d},
    {"Dense", convert_dense},
    {"Dropout", convert_dropout},
    {"Flatten", convert_flatten},
    {"GlobalAveragePooling2D", convert_global_average_pooling2d},
    {"MaxPooling2D", convert_max_pooling2d},
    {"ZeroPadding2D", convert_zero_padding2d},
    // InputLayer is handled by the importer itself: it makes a graph input, not a node.
    {"InputLayer", nullptr},
}};

}  // namespace

LayerConverter find_layer_converter(std::string_view class_name) {
  for (const auto& [name, converter] : kLayerTable)
    if (name == class_name) return converter;
  return nullptr;
}

std::string supported_layer_classes() {
  std::string list;
  for (const auto& [name, converter] : kLayerTable) list += (list.empty() ? "" : ", ") + std::string(name);
  return list;
}

}  // namespace qatrt
