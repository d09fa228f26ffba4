// Weight shards and every import error: each must name what failed (layer, class, file, sizes) and say what
// to do.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "keras/importer.h"
#include "unit/keras/keras_model_writer.h"

namespace qatrt {
namespace {

using testing::KerasModel;
using testing::TempDir;
using testing::json;
using ::testing::HasSubstr;

// x [2,2,3] → conv 1×1 (3→2, bias) → GlobalAveragePooling2D.
KerasModel small_model() {
  KerasModel model;
  model.input("x", {2, 2, 3});
  model.layer("conv", "Conv2D", {{"filters", 2}, {"kernel_size", {1, 1}}, {"padding", "valid"}, {"use_bias", true}},
              {"x"});
  model.weight("conv/kernel", {1, 1, 3, 2}, {1, 2, 3, 4, 5, 6});
  model.weight("conv/bias", {2}, {0.5f, -0.5f});
  model.layer("gap", "GlobalAveragePooling2D", json::object(), {"conv"});
  model.output("gap");
  return model;
}

// Imports and returns the error, failing the test if the import succeeded.
Status import_error(const std::string& path) {
  auto graph = import_keras_tfjs(path);
  EXPECT_FALSE(graph.ok()) << "import of " << path << " unexpectedly succeeded";
  return graph.ok() ? Status() : graph.status();
}

// Weights cut into 7-byte shards (across float boundaries) read back the same as one shard.
TEST(KerasWeights, ShardsAreOneStream) {
  for (size_t shard_bytes : {size_t{7}, size_t{8}, size_t{4 << 20}}) {
    SCOPED_TRACE("shard bytes " + std::to_string(shard_bytes));
    TempDir dir;
    auto graph = import_keras_tfjs(small_model().write(dir, shard_bytes));
    ASSERT_TRUE(graph.ok()) << graph.status().to_string();
    // conv at every pixel of x = ones: [1+3+5, 2+4+6] + bias.
    auto out = testing::run_reference(*graph, {Tensor::from_vector<float>({1, 3, 2, 2}, std::vector<float>(12, 1))});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].to_float_vector(), (std::vector<float>{9.5f, 11.5f}));
  }
}

TEST(KerasErrors, MissingShardNamesThePath) {
  TempDir dir;
  std::string path = small_model().write(dir, 8);
  std::filesystem::remove(dir.file("group1-shard2.bin"));
  Status error = import_error(path);
  EXPECT_EQ(error.code(), StatusCode::kNotFound);
  EXPECT_THAT(error.message(), HasSubstr(dir.file("group1-shard2.bin")));
  EXPECT_THAT(error.message(), HasSubstr("file 2 of 4"));
}

TEST(KerasErrors, ShardSizeMismatchGivesExpectedAndFoundBytes) {
  TempDir dir;
  std::string path = small_model().write(dir);
  std::filesystem::resize_file(dir.file("group1-shard1.bin"), 30);
  Status error = import_error(path);
  EXPECT_EQ(error.code(), StatusCode::kCorrupt);
  EXPECT_THAT(error.message(), HasSubstr("hold 30 bytes"));
  EXPECT_THAT(error.message(), HasSubstr("need 32 bytes"));
}

TEST(KerasErrors, UnknownLayerClassNamesLayerAndListsSupported) {
  TempDir dir;
  KerasModel model = small_model();
  model.layer("lstm", "LSTM", {{"units", 4}}, {"gap"});
  model.output("lstm");
  Status error = import_error(model.write(dir));
  EXPECT_EQ(error.code(), StatusCode::kUnsupported);
  EXPECT_THAT(error.message(), HasSubstr("layer 'lstm' (LSTM)"));
  EXPECT_THAT(error.message(), HasSubstr("Conv2D"));
}

TEST(KerasErrors, ChannelsFirstIsRefused) {
  TempDir dir;
  KerasModel model;
  model.input("x", {4, 4, 1});
  model.layer("pool", "MaxPooling2D", {{"pool_size", {2, 2}}, {"data_format", "channels_first"}}, {"x"});
  model.output("pool");
  Status error = import_error(model.write(dir));
  EXPECT_EQ(error.code(), StatusCode::kUnsupported);
  EXPECT_THAT(error.message(), HasSubstr("layer 'pool' (MaxPooling2D): data_format 'channels_first'"));
}

TEST(KerasErrors, NonFloat32LayerDtypeIsRefused) {
  TempDir dir;
  KerasModel model;
  model.input("x", {4});
  model.layer("act", "Activation", {{"activation", "relu"}, {"dtype", "float16"}}, {"x"});
  model.output("act");
  Status error = import_error(model.write(dir));
  EXPECT_EQ(error.code(), StatusCode::kUnsupported);
  EXPECT_THAT(error.message(), HasSubstr("layer 'act' (Activation): dtype \"float16\""));
}

TEST(KerasErrors, UnsupportedActivationIsNamed) {
  TempDir dir;
  KerasModel model;
  model.input("x", {4});
  model.layer("act", "Activation", {{"activation", "swish"}}, {"x"});
  model.output("act");
  Status error = import_error(model.write(dir));
  EXPECT_EQ(error.code(), StatusCode::kUnsupported);
  EXPECT_THAT(error.message(), HasSubstr("activation 'swish'"));
}

TEST(KerasErrors, CausalPaddingIsRefused) {
  TempDir dir;
  KerasModel model;
  model.input("x", {4, 4, 1});
  model.layer("conv", "Conv2D", {{"filters", 1}, {"kernel_size", {1, 1}}, {"padding", "causal"}, {"use_bias", false}},
              {"x"});
  model.weight("conv/kernel", {1, 1, 1, 1}, {1});
  model.output("conv");
  Status error = import_error(model.write(dir));
  EXPECT_THAT(error.message(), HasSubstr("layer 'conv' (Conv2D): padding 'causal'"));
}

TEST(KerasErrors, WeightAbsentFromManifest) {
  TempDir dir;
  KerasModel model;
  model.input("x", {2, 2, 3});
  model.layer("conv", "Conv2D", {{"filters", 2}, {"kernel_size", {1, 1}}, {"use_bias", true}}, {"x"});
  model.weight("conv/kernel", {1, 1, 3, 2}, std::vector<float>(6, 1));
  model.output("conv");
  Status error = import_error(model.write(dir));
  EXPECT_EQ(error.code(), StatusCode::kNotFound);
  EXPECT_THAT(error.message(), HasSubstr("layer 'conv' (Conv2D): weight 'conv/bias' is not in the weights manifest"));
}

TEST(KerasErrors, WeightWithWrongShape) {
  TempDir dir;
  KerasModel model;
  model.input("x", {2, 2, 3});
  model.layer("conv", "Conv2D", {{"filters", 2}, {"kernel_size", {1, 1}}, {"use_bias", false}}, {"x"});
  model.weight("conv/kernel", {1, 1, 2, 3}, std::vector<float>(6, 1));
  model.output("conv");
  Status error = import_error(model.write(dir));
  EXPECT_EQ(error.code(), StatusCode::kCorrupt);
  EXPECT_THAT(error.message(), HasSubstr("weight 'conv/kernel' has shape [1,1,2,3], the layer config implies [1,1,3,2]"));
}

TEST(KerasErrors, QuantizedOrNonFloatManifestWeights) {
  for (json extra : {json{{"dtype", "int32"}}, json{{"quantization", {{"dtype", "uint8"}, {"scale", 0.1}}}}}) {
    SCOPED_TRACE(extra.dump());
    TempDir dir;
    KerasModel model = small_model();
    model.write(dir);
    json model_json = json::parse(std::ifstream(dir.file("model.json")));
    model_json["weightsManifest"][0]["weights"][0].update(extra);
    KerasModel::write_json(dir, model_json);
    Status error = import_error(dir.file("model.json"));
    EXPECT_EQ(error.code(), StatusCode::kUnsupported);
    EXPECT_THAT(error.message(), HasSubstr("weight 'conv/kernel'"));
  }
}

TEST(KerasErrors, UnknownSpatialSizeIsRefused) {
  TempDir dir;
  KerasModel model = small_model();
  model.write(dir);
  json model_json = json::parse(std::ifstream(dir.file("model.json")));
  model_json["modelTopology"]["model_config"]["config"]["layers"][0]["config"]["batch_input_shape"] = {nullptr, nullptr,
                                                                                                      nullptr, 3};
  KerasModel::write_json(dir, model_json);
  Status error = import_error(dir.file("model.json"));
  EXPECT_EQ(error.code(), StatusCode::kUnsupported);
  EXPECT_THAT(error.message(), HasSubstr("layer 'x' (InputLayer)"));
  EXPECT_THAT(error.message(), HasSubstr("fixed shape"));
}

TEST(KerasErrors, GraphModelFormatIsRefused) {
  TempDir dir;
  KerasModel::write_json(dir, {{"format", "graph-model"}, {"modelTopology", json::object()}});
  Status error = import_error(dir.file("model.json"));
  EXPECT_EQ(error.code(), StatusCode::kUnsupported);
  EXPECT_THAT(error.message(), HasSubstr("tfjs_layers_model"));
}

TEST(KerasErrors, MissingFileAndBrokenJson) {
  TempDir dir;
  Status missing = import_error(dir.file("absent.json"));
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.message(), HasSubstr("absent.json"));
  std::ofstream(dir.file("model.json")) << "{\"modelTopology\": ";
  Status broken = import_error(dir.file("model.json"));
  EXPECT_EQ(broken.code(), StatusCode::kCorrupt);
  EXPECT_THAT(broken.message(), HasSubstr("not valid JSON"));
}

TEST(KerasErrors, LayerReadingAnUndefinedTensor) {
  TempDir dir;
  KerasModel model;
  model.input("x", {4});
  model.layer("act", "Activation", {{"activation", "relu"}}, {"nowhere"});
  model.output("act");
  Status error = import_error(model.write(dir));
  EXPECT_EQ(error.code(), StatusCode::kCorrupt);
  EXPECT_THAT(error.message(), HasSubstr("layer 'act' (Activation) reads output 0 of call 0 of layer 'nowhere'"));
}

}  // namespace
}  // namespace qatrt
