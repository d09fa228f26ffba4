// Dense, Flatten, BatchNormalization, Activation, Add, Dropout and Sequential models: hand-computed values
// on the reference backend.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "ir/printer.h"
#include "keras/importer.h"
#include "unit/keras/keras_model_writer.h"

namespace qatrt::testing {
namespace {

void expect_near(const std::vector<float>& got, const std::vector<float>& expected, float tolerance) {
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], tolerance) << "element " << i;
}

// Dense(2) on [N,3]: y = x·K + b with K [3,2] in Keras' [in, units] layout; then softmax.
TEST(KerasDense, GemmWithBiasAndSoftmax) {
  TempDir dir;
  KerasModel model;
  model.input("x", {3});
  model.layer("fc", "Dense", {{"units", 2}, {"activation", "softmax"}, {"use_bias", true}}, {"x"});
  model.weight("fc/kernel", {3, 2}, {1, -1, 2, 0, 0, 3});  // K = [[1,-1],[2,0],[0,3]]
  model.weight("fc/bias", {2}, {0.5f, -0.5f});
  model.output("fc");
  Graph graph = import_or_fail(model.write(dir));
  // Rows x = [1,1,1] → logits [3.5, 1.5]; x = [0,1,-1] → [2.5, -3.5].
  auto out = testing::run_reference(graph, {Tensor::from_vector<float>({2, 3}, {1, 1, 1, 0, 1, -1})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{2, 2}));
  auto softmax = [](float a, float b) { return 1.0f / (1.0f + std::exp(b - a)); };
  expect_near(values_of(out[0]), {softmax(3.5f, 1.5f), softmax(1.5f, 3.5f), softmax(2.5f, -3.5f), softmax(-3.5f, 2.5f)},
              1e-6f);
  EXPECT_EQ(graph.value(graph.outputs[0]).name, "fc");
}

// Keras applies Dense on an image along the channel axis at every pixel: a 1×1 conv, not a flatten.
TEST(KerasDense, OnImageActsPerPixel) {
  TempDir dir;
  KerasModel model;
  model.input("x", {1, 2, 2});
  model.layer("fc", "Dense", {{"units", 3}, {"activation", "relu"}, {"use_bias", false}}, {"x"});
  model.weight("fc/kernel", {2, 3}, {1, 0, -1, 0, 1, 1});  // y = [a, b, b - a]
  model.output("fc");
  Graph graph = import_or_fail(model.write(dir));
  Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {1, 2, 5, 3});  // pixels (a,b) = (1,2), (5,3)
  auto out = testing::run_reference(graph, {testing::nhwc_to_nchw(x)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of(testing::nchw_to_nhwc(out[0])), (std::vector<float>{1, 2, 1, 5, 3, 0}));
}

// Flatten keeps Keras' NHWC element order: Dense weights trained on it stay valid.
TEST(KerasFlatten, FlattensInKerasOrder) {
  Graph graph = import_one_layer({2, 1, 3}, "flat", "Flatten", {{"data_format", "channels_last"}});
  std::vector<float> nhwc = {1, 2, 3, 4, 5, 6};
  auto out = testing::run_reference(graph, {testing::nhwc_to_nchw(Tensor::from_vector<float>({1, 2, 1, 3}, nhwc))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].shape(), (Shape{1, 6}));
  EXPECT_EQ(values_of(out[0]), nhwc);
}

TEST(KerasFlatten, OneByOneImageNeedsNoTranspose) {
  Graph graph = import_one_layer({1, 1, 4}, "flat", "Flatten", json::object());
  ASSERT_EQ(graph.nodes.size(), 1u) << print_graph(graph);
  EXPECT_EQ(graph.nodes[0].op, Op::kFlatten);
}

struct BnCase {
  bool center, scale;
};

// y = gamma·(x − mean)/sqrt(var + eps) + beta per channel; absent gamma = 1, absent beta = 0.
TEST(KerasBatchNormalization, InferenceFormPerChannel) {
  for (BnCase c : {BnCase{true, true}, BnCase{false, true}, BnCase{true, false}, BnCase{false, false}}) {
    SCOPED_TRACE("center " + std::to_string(c.center) + " scale " + std::to_string(c.scale));
    TempDir dir;
    KerasModel model;
    model.input("x", {1, 2, 2});
    model.layer("bn", "BatchNormalization",
                {{"axis", {3}}, {"epsilon", 0.25}, {"center", c.center}, {"scale", c.scale}, {"momentum", 0.99}},
                {"x"});
    const std::vector<float> gamma = {2, -1}, beta = {1, 0.5f}, mean = {1, -2}, var = {0.75f, 3.75f};
    if (c.scale) model.weight("bn/gamma", {2}, gamma);
    if (c.center) model.weight("bn/beta", {2}, beta);
    model.weight("bn/moving_mean", {2}, mean);
    model.weight("bn/moving_variance", {2}, var);
    model.output("bn");
    Graph graph = import_or_fail(model.write(dir));
    ASSERT_EQ(graph.nodes.size(), 1u);
    EXPECT_EQ(graph.nodes[0].op, Op::kBatchNormalization);
    EXPECT_FLOAT_EQ(graph.nodes[0].attr_float("epsilon", 0), 0.25f);
    // sqrt(var + eps) = 1 and 2: channel 0: g·(x − 1) + b, channel 1: g·(x + 2)/2 + b.
    Tensor x = Tensor::from_vector<float>({1, 1, 2, 2}, {3, 2, -1, 6});
    float g0 = c.scale ? 2 : 1, g1 = c.scale ? -1 : 1, b0 = c.center ? 1 : 0, b1 = c.center ? 0.5f : 0;
    std::vector<float> expected = {g0 * 2 + b0, g1 * 2 + b1, g0 * -2 + b0, g1 * 4 + b1};
    auto out = testing::run_reference(graph, {testing::nhwc_to_nchw(x)});
    ASSERT_EQ(out.size(), 1u);
    expect_near(values_of(testing::nchw_to_nhwc(out[0])), expected, 1e-6f);
  }
}

// Functional graph: relu and a three-way Add (a chain of binary Adds) that reuses a tensor.
TEST(KerasAdd, SumsAnyNumberOfInputs) {
  TempDir dir;
  KerasModel model;
  model.input("x", {1, 2, 1});
  model.layer("relu", "Activation", {{"activation", "relu"}}, {"x"});
  model.layer("drop", "Dropout", {{"rate", 0.5}}, {"relu"});
  model.layer("sum", "Add", json::object(), {"x", "drop", "x"});
  model.output("sum");
  Graph graph = import_or_fail(model.write(dir));
  auto out = testing::run_reference(graph, {Tensor::from_vector<float>({1, 1, 1, 2}, {-2, 3})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of(out[0]), (std::vector<float>{-4, 9}));  // 2x + relu(x)
}

TEST(KerasActivation, SoftmaxOverChannelsOfAnImage) {
  Graph graph = import_one_layer({1, 1, 2}, "sm", "Activation", {{"activation", "softmax"}});
  auto out = testing::run_reference(graph, {testing::nhwc_to_nchw(Tensor::from_vector<float>({1, 1, 1, 2}, {0, 0}))});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of(out[0]), (std::vector<float>{0.5f, 0.5f}));
}

// A layer called twice: Keras lists both calls at the layer's place, before the tensor the second call reads.
TEST(KerasSharedLayer, SecondCallWaitsForItsInput) {
  TempDir dir;
  KerasModel model;
  model.input("x", {2});
  model.layer("shared", "Dense", {{"units", 2}, {"use_bias", false}}, {"x"});
  model.weight("shared/kernel", {2, 2}, {1, 2, -1, 1});  // K = [[1,2],[-1,1]]
  model.layer("relu", "Activation", {{"activation", "relu"}}, {"shared"});
  model.layer("sum", "Add", json::object(), {"shared", "shared"});
  model.output("sum");
  model.write(dir);
  json model_json = json::parse(std::ifstream(dir.file("model.json")));
  json& layers = model_json["modelTopology"]["model_config"]["config"]["layers"];
  layers[1]["inbound_nodes"].push_back(json::array({json::array({"relu", 0, 0, json::object()})}));
  layers[3]["inbound_nodes"][0][1][1] = 1;  // sum = shared(x) + shared(relu(shared(x)))
  KerasModel::write_json(dir, model_json);
  Graph graph = import_or_fail(dir.file("model.json"));
  // x = [1,1]: shared(x) = [0,3], relu → [0,3], shared again → [-3,3]; sum [-3,6].
  auto out = testing::run_reference(graph, {Tensor::from_vector<float>({1, 2}, {1, 1})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of(out[0]), (std::vector<float>{-3, 6}));
}

TEST(KerasSequential, ChainsLayersAndMakesTheInput) {
  TempDir dir;
  json layers = json::array(
      {{{"class_name", "Dense"},
        {"config", {{"name", "d1"}, {"units", 2}, {"activation", "relu"}, {"batch_input_shape", {nullptr, 2}}}}},
       {{"class_name", "Dense"}, {"config", {{"name", "d2"}, {"units", 1}, {"use_bias", false}}}}});
  json model_json = {{"modelTopology", {{"model_config", {{"class_name", "Sequential"}, {"config", layers}}}}},
                     {"weightsManifest",
                      {{{"paths", {"w.bin"}},
                        {"weights",
                         {{{"name", "d1/kernel"}, {"shape", {2, 2}}, {"dtype", "float32"}},
                          {{"name", "d1/bias"}, {"shape", {2}}, {"dtype", "float32"}},
                          {{"name", "d2/kernel"}, {"shape", {2, 1}}, {"dtype", "float32"}}}}}}}};
  const std::vector<float> weights = {1, -1, 1, 1, 0, -10, 2, 3};  // d1 K=[[1,-1],[1,1]] b=[0,-10]; d2 K=[2,3]
  std::ofstream(dir.file("w.bin"), std::ios::binary)
      .write(reinterpret_cast<const char*>(weights.data()), weights.size() * sizeof(float));
  KerasModel::write_json(dir, model_json);
  Graph graph = import_or_fail(dir.file("model.json"));
  ASSERT_EQ(graph.inputs.size(), 1u);
  EXPECT_EQ(graph.value(graph.inputs[0]).name, "d1_input");
  // x = [4, 1]: d1 = relu([5, -13]) = [5, 0]; d2 = 10.
  auto out = testing::run_reference(graph, {Tensor::from_vector<float>({1, 2}, {4, 1})});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(values_of(out[0]), std::vector<float>{10});
}

}  // namespace
}  // namespace qatrt::testing
