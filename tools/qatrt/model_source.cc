#include "model_source.h"

#include "keras/importer.h"
#include "onnx/importer.h"

namespace qatrt::cli {

void add_model_source_options(CLI::App* cmd, ModelSource& source) {
  CLI::Option_group* group = cmd->add_option_group("model", "The model to read (one of)");
  group->add_option("--keras", source.keras, "Keras model in TF.js layers format (model.json)");
  group->add_option("--onnx", source.onnx, "ONNX model");
  group->require_option(1);
}

StatusOr<Graph> load_model(const ModelSource& source) {
  if (!source.keras.empty()) return import_keras_tfjs(source.keras);
  return import_onnx_file(source.onnx);
}

}  // namespace qatrt::cli
