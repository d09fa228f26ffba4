// IR → ONNX: every exported model passes onnx.checker (full check), re-imports with qatrt's ONNX importer and
// gives the same outputs on the reference backend; the Q/DQ forms and the weight formats are checked in the
// protobuf itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/export/export_test_util.h"

namespace qatrt {
namespace {

using testing::GraphBuilder;
using testing::TempDir;
using ::testing::HasSubstr;

Tensor ramp_tensor(Shape shape, float phase = 0.0f) {
  return Tensor::from_vector<float>(shape, testing::ramp(static_cast<size_t>(shape_numel(shape)), phase));
}

// x → Conv(pads 1) → Relu → MaxPool 2×2 → Transpose → Flatten → Gemm(transB) → Softmax
Graph float_graph() {
  GraphBuilder b;
  ValueId x = b.input("x", {kDynamicDim, 2, 4, 4});
  ValueId w = b.constant("conv.weight", ramp_tensor({3, 2, 3, 3}, 0.1f));
  ValueId bias = b.constant("conv.bias", ramp_tensor({3}, -0.1f));
  ValueId conv = b.node("conv", Op::kConv, {x, w, bias},
                        {{"strides", std::vector<int64_t>{1, 1}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}},
                         {"dilations", std::vector<int64_t>{1, 1}}, {"group", int64_t{1}}});
  ValueId relu = b.node("relu", Op::kRelu, {conv});
  ValueId pool = b.node("pool", Op::kMaxPool, {relu},
                        {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}},
                         {"pads", std::vector<int64_t>{0, 0, 0, 0}}});
  ValueId nhwc = b.node("to_nhwc", Op::kTranspose, {pool}, {{"perm", std::vector<int64_t>{0, 2, 3, 1}}});
  ValueId flat = b.node("flatten", Op::kFlatten, {nhwc}, {{"axis", int64_t{1}}});
  ValueId fw = b.constant("fc.weight", ramp_tensor({5, 12}, 0.2f));
  ValueId fb = b.constant("fc.bias", ramp_tensor({5}));
  ValueId fc = b.node("fc", Op::kGemm, {flat, fw, fb}, {{"transB", int64_t{1}}});
  ValueId prob = b.node("prob", Op::kSoftmax, {fc}, {{"axis", int64_t{1}}});
  return b.finish({prob});
}

// x → Q(uint8, zp 128) → DQ → Conv(DQ(int8 per-channel weights)) → Relu → Q(int8) → DQ → GlobalAveragePool
Graph qdq_graph() {
  GraphBuilder b;
  ValueId x = b.input("x", {kDynamicDim, 2, 4, 4});
  ValueId xq = b.node("x_q", Op::kQuantizeLinear, {x}, GraphBuilder::qdq({0.02f}, {128}, 1, DType::kUInt8));
  ValueId xd = b.node("x_dq", Op::kDequantizeLinear, {xq}, GraphBuilder::qdq({0.02f}, {128}));
  std::vector<int8_t> weights(3 * 2 * 3 * 3);
  for (size_t i = 0; i < weights.size(); ++i) weights[i] = static_cast<int8_t>(static_cast<int>(i * 29 % 255) - 127);
  const std::vector<float> scales = {0.01f, 0.003f, 0.02f};
  QuantParams wq{scales, {0, 0, 0}, 0};
  ValueId w = b.constant("conv.weight_quantized", Tensor::from_vector<int8_t>({3, 2, 3, 3}, weights), wq);
  ValueId wd = b.node("conv.weight_dq", Op::kDequantizeLinear, {w}, GraphBuilder::qdq(scales, {}, 0));
  ValueId conv = b.node("conv", Op::kConv, {xd, wd, kNoValue},
                        {{"strides", std::vector<int64_t>{1, 1}}, {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
  ValueId relu = b.node("relu", Op::kRelu, {conv});
  ValueId yq = b.node("y_q", Op::kQuantizeLinear, {relu}, GraphBuilder::qdq({0.05f}, {0}, 1, DType::kInt8));
  ValueId yd = b.node("y_dq", Op::kDequantizeLinear, {yq}, GraphBuilder::qdq({0.05f}));
  ValueId gap = b.node("gap", Op::kGlobalAveragePool, {yd});
  return b.finish({gap});
}

std::vector<Tensor> run(const Graph& graph, int64_t batch = 2) {
  Shape shape = graph.value(graph.inputs[0]).shape;
  shape[0] = batch;
  return testing::run_reference(graph, {ramp_tensor(shape, 0.3f)});
}

// Exports `graph` to dir/model.onnx (checked by onnx.checker), re-imports it and expects the same outputs at
// batch 2; returns the re-imported graph, empty when the export or the import failed.
Graph round_trip(const Graph& graph, WeightFormat weights, const TempDir& dir) {
  Graph reimported = testing::export_and_reimport(graph, weights, dir);
  if (!reimported.nodes.empty()) testing::expect_same_outputs(run(reimported), run(graph));
  return reimported;
}

TEST(OnnxExport, FloatGraphRoundTripsWithNamesAndDynamicBatch) {
  TempDir dir;
  Graph graph = float_graph();
  Graph reimported = round_trip(graph, WeightFormat::kInt8, dir);
  ASSERT_FALSE(reimported.nodes.empty());
  onnx::ModelProto model = testing::read_model(dir.file("model.onnx"));
  EXPECT_EQ(model.opset_import(0).version(), 13);
  const auto& dim0 = model.graph().input(0).type().tensor_type().shape().dim(0);
  EXPECT_EQ(dim0.dim_param(), "N");
  std::vector<std::string> names;
  for (const auto& node : model.graph().node()) names.push_back(node.name());
  EXPECT_EQ(names, (std::vector<std::string>{"conv", "relu", "pool", "to_nhwc", "flatten", "fc", "prob"}));
  EXPECT_EQ(model.graph().value_info_size(), 6);  // every intermediate value
}

TEST(OnnxExport, QdqWithInt8WeightsKeepsThem) {
  TempDir dir;
  Graph graph = qdq_graph();
  Graph reimported = round_trip(graph, WeightFormat::kInt8, dir);
  ASSERT_FALSE(reimported.nodes.empty());
  onnx::ModelProto model = testing::read_model(dir.file("model.onnx"));
  EXPECT_EQ(testing::count_nodes(model, "QuantizeLinear"), 2);
  EXPECT_EQ(testing::count_nodes(model, "DequantizeLinear"), 3);
  const onnx::TensorProto* w = testing::find_initializer(model, "conv.weight_quantized");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->data_type(), onnx::TensorProto::INT8);
  const onnx::TensorProto* w_scale = testing::find_initializer(model, "conv.weight_dq_scale");
  ASSERT_NE(w_scale, nullptr);
  EXPECT_EQ(w_scale->dims_size(), 1);
  EXPECT_EQ(w_scale->dims(0), 3);
  const onnx::TensorProto* x_zero = testing::find_initializer(model, "x_q_zero_point");
  ASSERT_NE(x_zero, nullptr);
  EXPECT_EQ(x_zero->data_type(), onnx::TensorProto::UINT8);
  EXPECT_EQ(x_zero->dims_size(), 0);  // per-tensor: a scalar
  EXPECT_EQ(static_cast<uint8_t>(x_zero->raw_data()[0]), 128);
  EXPECT_EQ(testing::find_initializer(model, "y_q_zero_point")->data_type(), onnx::TensorProto::INT8);
  for (const auto& node : model.graph().node()) {
    bool has_axis = false;
    for (const auto& attr : node.attribute()) has_axis |= attr.name() == "axis";
    EXPECT_EQ(has_axis, node.name() == "conv.weight_dq") << node.name();
  }
}

TEST(OnnxExport, QdqWithFloatWeightsAddsAnExactQuantize) {
  TempDir dir;
  Graph graph = qdq_graph();
  Graph reimported = round_trip(graph, WeightFormat::kFloatWithQdq, dir);
  ASSERT_FALSE(reimported.nodes.empty());
  onnx::ModelProto model = testing::read_model(dir.file("model.onnx"));
  EXPECT_EQ(testing::count_nodes(model, "QuantizeLinear"), 3);
  for (const auto& init : model.graph().initializer()) {
    if (init.dims_size() > 1) {
      EXPECT_EQ(init.data_type(), onnx::TensorProto::FLOAT) << init.name();
    }
  }
  // The re-imported weight Q gives back exactly the original integers.
  const Value* original = nullptr;
  for (const Value& v : graph.values)
    if (v.name == "conv.weight_quantized") original = &v;
  ASSERT_NE(original, nullptr);
  for (const Node& node : reimported.nodes) {
    if (node.op != Op::kQuantizeLinear || !reimported.is_constant(node.inputs[0])) continue;
    const Tensor& w = *reimported.value(node.inputs[0]).constant;
    auto scales = node.attr_floats("scale");
    ASSERT_EQ(node.attr_int("axis", -1), 0);
    for (int64_t i = 0; i < w.numel(); ++i) {
      int32_t q = quantize_value(w.data<float>()[i], scales[i / 18], 0, DType::kInt8);
      ASSERT_EQ(q, original->constant->data<int8_t>()[i]) << "weight element " << i;
    }
  }
}

// float weights → Q → DQ (what QAT produces) exported as int8 initializers: Q(w) computed at export.
TEST(OnnxExport, FloatWeightsBehindQuantizeBecomeInt8) {
  GraphBuilder b;
  ValueId x = b.input("x", {kDynamicDim, 3});
  // Values at .5 steps of the scale check round-half-to-even and saturation.
  ValueId w = b.constant("fc.weight", Tensor::from_vector<float>({2, 3}, {0.25f, 0.75f, -0.25f, 100.0f, -100.0f, 0.3f}));
  ValueId wq = b.node("fc.weight_q", Op::kQuantizeLinear, {w}, GraphBuilder::qdq({0.5f, 0.1f}, {}, 0, DType::kInt8));
  ValueId wd = b.node("fc.weight_dq", Op::kDequantizeLinear, {wq}, GraphBuilder::qdq({0.5f, 0.1f}, {}, 0));
  ValueId fc = b.node("fc", Op::kGemm, {x, wd}, {{"transB", int64_t{1}}});
  Graph graph = b.finish({fc});
  TempDir dir;
  Graph reimported = round_trip(graph, WeightFormat::kInt8, dir);
  ASSERT_FALSE(reimported.nodes.empty());
  onnx::ModelProto model = testing::read_model(dir.file("model.onnx"));
  EXPECT_EQ(testing::count_nodes(model, "QuantizeLinear"), 0);
  const onnx::TensorProto* q = testing::find_initializer(model, "fc.weight_q");
  ASSERT_NE(q, nullptr);
  ASSERT_EQ(q->data_type(), onnx::TensorProto::INT8);
  std::vector<int8_t> got(q->raw_data().begin(), q->raw_data().end());
  // Row 0 (s = 0.5): 0.5 → 0, 1.5 → 2, −0.5 → 0 (ties to even). Row 1 (s = 0.1): 1000 → 127, −1000 → −128, 3.
  EXPECT_EQ(got, (std::vector<int8_t>{0, 2, 0, 127, -128, 3}));
}

TEST(OnnxExport, SqueezeAxesAttributeBecomesAnInput) {
  GraphBuilder b;
  ValueId x = b.input("x", {kDynamicDim, 4});
  ValueId u = b.node("unsqueeze", Op::kUnsqueeze, {x}, {{"axes", std::vector<int64_t>{2, 3}}});
  ValueId r = b.node("relu", Op::kRelu, {u});
  ValueId s = b.node("squeeze", Op::kSqueeze, {r}, {{"axes", std::vector<int64_t>{3}}});
  Graph graph = b.finish({s});
  TempDir dir;
  Graph reimported = round_trip(graph, WeightFormat::kInt8, dir);
  ASSERT_FALSE(reimported.nodes.empty());
  EXPECT_EQ(reimported.value(reimported.outputs[0]).shape, (Shape{kDynamicDim, 4, 1}));
}

TEST(OnnxExport, FusedOpsAreRefused) {
  GraphBuilder b;
  ValueId x = b.input("x", {kDynamicDim, 2, 4, 4});
  ValueId w = b.constant("w", ramp_tensor({2, 2, 1, 1}));
  ValueId y = b.node("fused", Op::kFusedConv, {x, w}, {{"relu", int64_t{1}}});
  Graph graph = b.finish({y});
  auto bytes = export_onnx_bytes(graph, {});
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.status().code(), StatusCode::kUnsupported);
  EXPECT_THAT(bytes.status().message(), HasSubstr("node 'fused' (qatrt.FusedConv)"));
  EXPECT_THAT(bytes.status().message(), HasSubstr("export the graph before building"));
}

TEST(OnnxExport, AttributesWithoutOnnxFormAreRefused) {
  GraphBuilder b;
  ValueId x = b.input("x", {kDynamicDim, 4});
  ValueId r = b.node("relu", Op::kRelu, {x}, {{"alpha", 0.1f}});
  ValueId shape = b.constant("shape", Tensor::from_vector<int64_t>({2}, {-1, 4}));
  ValueId reshaped = b.node("reshape", Op::kReshape, {r, shape}, {{"allowzero", int64_t{1}}});
  Graph graph = b.finish({reshaped});
  auto bytes = export_onnx_bytes(graph, {});
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(), HasSubstr("node 'relu' (Relu): attribute 'alpha' has no ONNX opset-13 form"));
  graph.nodes[0].attrs.clear();
  bytes = export_onnx_bytes(graph, {});
  ASSERT_FALSE(bytes.ok());
  EXPECT_THAT(bytes.status().message(), HasSubstr("allowzero = 1 needs opset 14"));
}

TEST(OnnxExport, UnwritablePathIsAnIoError) {
  Status status = export_onnx(float_graph(), "/nonexistent-folder/model.onnx", {});
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent-folder/model.onnx"));
}

}  // namespace
}  // namespace qatrt
