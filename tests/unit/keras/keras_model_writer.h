// Test helpers: write small TF.js layers models (model.json + weight shards) into a temporary folder, move
// tensors between Keras' NHWC and the IR's NCHW, and run a graph on the reference backend.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "runtime/engine.h"

namespace qatrt::testing {

using nlohmann::json;

// A fresh folder under the system temp dir, removed with everything in it when the object goes.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "qatrt_test_XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Builds a functional Keras model the way tensorflowjs_converter writes it.
class KerasModel {
 public:
  // An InputLayer; shape excludes the batch: {H, W, C} or {features}.
  void input(const std::string& name, std::vector<int64_t> shape) {
    json batch_shape = json::array({nullptr});
    for (int64_t d : shape) batch_shape.push_back(d);
    layers_.push_back({{"name", name},
                       {"class_name", "InputLayer"},
                       {"config", {{"batch_input_shape", batch_shape}, {"dtype", "float32"}, {"name", name}}},
                       {"inbound_nodes", json::array()}});
    input_layers_.push_back({name, 0, 0});
  }
  // A layer reading the first output of each named layer.
  void layer(const std::string& name, const std::string& class_name, json config,
             const std::vector<std::string>& inputs) {
    config["name"] = name;
    json call = json::array();
    for (const auto& in : inputs) call.push_back({in, 0, 0, json::object()});
    layers_.push_back({{"name", name}, {"class_name", class_name}, {"config", config},
                       {"inbound_nodes", json::array({call})}});
  }
  void weight(const std::string& name, std::vector<int64_t> shape, std::vector<float> values) {
    weights_.push_back({{"name", name}, {"shape", shape}, {"dtype", "float32"}});
    data_.insert(data_.end(), values.begin(), values.end());
  }
  void output(const std::string& name) { output_layers_.push_back({name, 0, 0}); }

  json to_json(const std::vector<std::string>& shard_names) const {
    json model_config = {{"class_name", "Model"},
                         {"config",
                          {{"name", "test_model"},
                           {"layers", layers_},
                           {"input_layers", input_layers_},
                           {"output_layers", output_layers_}}}};
    return {{"format", "layers-model"},
            {"generatedBy", "keras v2.2.4-tf"},
            {"modelTopology", {{"keras_version", "2.2.4-tf"}, {"model_config", model_config}}},
            {"weightsManifest", json::array({{{"paths", shard_names}, {"weights", weights_}}})}};
  }

  // Writes model.json and the weights cut into shards of `shard_bytes`; returns model.json's path.
  std::string write(const TempDir& dir, size_t shard_bytes = 4 << 20) const {
    const char* bytes = reinterpret_cast<const char*>(data_.data());
    size_t total = data_.size() * sizeof(float);
    std::vector<std::string> names;
    for (size_t offset = 0, k = 1; offset < total || names.empty(); offset += shard_bytes, ++k) {
      names.push_back("group1-shard" + std::to_string(k) + ".bin");
      std::ofstream shard(dir.file(names.back()), std::ios::binary);
      shard.write(bytes + offset, static_cast<std::streamsize>(std::min(shard_bytes, total - offset)));
    }
    write_json(dir, to_json(names));
    return dir.file("model.json");
  }

  static void write_json(const TempDir& dir, const json& model_json) {
    std::ofstream(dir.file("model.json")) << model_json.dump(1);
  }

 private:
  json layers_ = json::array();
  json input_layers_ = json::array();
  json output_layers_ = json::array();
  json weights_ = json::array();
  std::vector<float> data_;
};

inline Tensor nhwc_to_nchw(const Tensor& t) {
  const Shape& s = t.shape();
  const int64_t n = s[0], h = s[1], w = s[2], c = s[3];
  Tensor out(DType::kFloat32, {n, c, h, w});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t x = 0; x < w; ++x)
        for (int64_t k = 0; k < c; ++k)
          out.data<float>()[((i * c + k) * h + y) * w + x] = t.data<float>()[((i * h + y) * w + x) * c + k];
  return out;
}

inline Tensor nchw_to_nhwc(const Tensor& t) {
  const Shape& s = t.shape();
  const int64_t n = s[0], c = s[1], h = s[2], w = s[3];
  Tensor out(DType::kFloat32, {n, h, w, c});
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          out.data<float>()[((i * h + y) * w + x) * c + k] = t.data<float>()[((i * c + k) * h + y) * w + x];
  return out;
}

// Runs the graph on the reference backend at the batch of the first input.
inline std::vector<Tensor> run_reference(const Graph& graph, const std::vector<Tensor>& inputs) {
  auto engine = Engine::create(graph, {.backend = "reference", .threads = 1});
  EXPECT_TRUE(engine.ok()) << engine.status().to_string();
  if (!engine.ok()) return {};
  auto context = (*engine)->create_context(inputs.at(0).shape()[0]);
  EXPECT_TRUE(context.ok()) << context.status().to_string();
  if (!context.ok()) return {};
  auto outputs = (*context)->run(inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status().to_string();
  if (!outputs.ok()) return {};
  return std::move(outputs).value();
}

// Deterministic test values in [-1, 1) that differ from element to element.
inline std::vector<float> ramp(size_t count, float phase = 0.0f) {
  std::vector<float> v(count);
  for (size_t i = 0; i < count; ++i) v[i] = static_cast<float>(((i * 37 + 11) % 97) / 48.5 - 1.0) + phase;
  return v;
}

}  // namespace qatrt::testing
