// Where a float (or Q/DQ) model comes from for the commands that read one: --keras model.json or --onnx M.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::cli {

struct ModelSource {
  std::string keras;  // TF.js layers model.json (its weight shards beside it)
  std::string onnx;
  const std::string& path() const { return keras.empty() ? onnx : keras; }
};

// Adds --keras and --onnx (exactly one required).
void add_model_source_options(CLI::App* cmd, ModelSource& source);

StatusOr<Graph> load_model(const ModelSource& source);

}  // namespace qatrt::cli
