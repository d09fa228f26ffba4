// The weights of a TF.js layers model: "weightsManifest" = [{"paths": [shard files], "weights": [{"name",
// "shape", "dtype"}, ...]}, ...]. Within a group the shard files are one byte stream cut into pieces (the
// converter cuts every 4 MiB, ignoring weight boundaries): the weights lie back to back in manifest order,
// little-endian. Only float32 weights without TF.js quantization are accepted.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <map>
#include <string>

#include "core/status.h"
#include "core/tensor.h"

namespace qatrt {

class WeightStore {
 public:
  // Reads every group of the manifest; shard paths are relative to `directory` (model.json's folder).
  // Errors: a missing shard (its path), a group whose files hold a different byte count than its weights
  // need (expected vs found), a non-float32 or quantized weight, a malformed entry.
  static StatusOr<WeightStore> load(const nlohmann::json& manifest, const std::filesystem::path& directory);

  // nullptr when the manifest has no weight of this name ("conv1/kernel").
  const Tensor* find(const std::string& name) const;

 private:
  std::map<std::string, Tensor> tensors_;
};

}  // namespace qatrt
