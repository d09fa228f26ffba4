// Test helpers: write small TF.js layers models (model.json + weight shards) into a temporary folder, import
// them, move tensors between Keras' NHWC and the IR's NCHW, and run a graph on the reference backend.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "keras/importer.h"
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

// A 4-D float tensor with its axes reordered: output axis a is input axis perm[a].
inline Tensor permute_4d(const Tensor& t, const std::array<int, 4>& perm) {
  const Shape& s = t.shape();
  const std::array<int64_t, 4> in_strides = {s[1] * s[2] * s[3], s[2] * s[3], s[3], 1};
  std::array<int64_t, 4> dims, strides;  // of the output, with the matching input strides
  for (int a = 0; a < 4; ++a) dims[a] = s[perm[a]], strides[a] = in_strides[perm[a]];
  Tensor out(DType::kFloat32, {dims[0], dims[1], dims[2], dims[3]});
  const float* in = t.data<float>();
  float* o = out.data<float>();
  for (int64_t i0 = 0; i0 < dims[0]; ++i0)
    for (int64_t i1 = 0; i1 < dims[1]; ++i1)
      for (int64_t i2 = 0; i2 < dims[2]; ++i2)
        for (int64_t i3 = 0; i3 < dims[3]; ++i3)
          *o++ = in[i0 * strides[0] + i1 * strides[1] + i2 * strides[2] + i3 * strides[3]];
  return out;
}

inline Tensor nhwc_to_nchw(const Tensor& t) { return permute_4d(t, {0, 3, 1, 2}); }
inline Tensor nchw_to_nhwc(const Tensor& t) { return permute_4d(t, {0, 2, 3, 1}); }

// The imported graph, or an empty one after a failed expectation that prints the error.
inline Graph import_or_fail(const std::string& path) {
  auto graph = import_keras_tfjs(path);
  EXPECT_TRUE(graph.ok()) << graph.status().to_string();
  return graph.ok() ? std::move(graph).value() : Graph{};
}

// Imports a model of one layer reading the input "x" of `input_shape` (batch excluded).
inline Graph import_one_layer(std::vector<int64_t> input_shape, const std::string& name, const std::string& class_name,
                              json config) {
  TempDir dir;
  KerasModel model;
  model.input("x", std::move(input_shape));
  model.layer(name, class_name, std::move(config), {"x"});
  model.output(name);
  return import_or_fail(model.write(dir));
}

inline int count_ops(const Graph& graph, Op op) {
  return static_cast<int>(std::count_if(graph.nodes.begin(), graph.nodes.end(), [&](const Node& n) { return n.op == op; }));
}

inline std::vector<float> values_of(const Tensor& t) {
  auto v = t.values<float>();
  return {v.begin(), v.end()};
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
