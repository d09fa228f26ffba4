// Model-level import: initializers of every supported type (typed fields and raw_data), graph inputs that are
// initializers, dynamic dims, node naming, Constant folding, and the whole-model error paths (opset,
// unsupported op / domain / type, garbage, truncated and missing files).
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "onnx_builder.h"

namespace qatrt::testing {
namespace {

// An Identity reading `name`, so the initializer is used.
template <typename T>
void expect_initializer_roundtrip(const std::vector<T>& values, bool raw) {
  SCOPED_TRACE(std::string(dtype_name(dtype_of<T>())) + (raw ? " raw_data" : " typed field"));
  OnnxBuilder b;
  b.initializer<T>("c", {static_cast<int64_t>(values.size()), 1}, values, raw);
  b.node("Identity", {"c"}, {"y"});
  b.output("y", onnx_type_of<T>());
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  const Value& c = value_named(*g, "c");
  ASSERT_TRUE(c.constant.has_value());
  EXPECT_EQ(c.dtype, dtype_of<T>());
  EXPECT_EQ(c.shape, (Shape{static_cast<int64_t>(values.size()), 1}));
  auto stored = c.constant->values<T>();
  EXPECT_EQ(std::vector<T>(stored.begin(), stored.end()), values);
}

TEST(OnnxModel, InitializersOfEverySupportedType) {
  for (bool raw : {false, true}) {
    expect_initializer_roundtrip<float>({1.5f, -2.25f, 0.0f}, raw);
    expect_initializer_roundtrip<int8_t>({-128, 0, 127}, raw);
    expect_initializer_roundtrip<uint8_t>({0, 128, 255}, raw);
    expect_initializer_roundtrip<int32_t>({-70000, 0, 70000}, raw);
    expect_initializer_roundtrip<int64_t>({-(int64_t{1} << 40), 0, int64_t{1} << 40}, raw);
    expect_initializer_roundtrip<bool>({true, false, true}, raw);
  }
}

TEST(OnnxModel, InitializerWithWrongSizeIsCorrupt) {
  OnnxBuilder b;
  b.initializer<float>("c", {4}, {1.0f, 2.0f}, /*raw=*/true);
  b.node("Identity", {"c"}, {"y"}, "id");
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(),
                           {"initializer 'c' read by node 'id' (Identity): tensor 'c': raw_data holds 8 bytes"},
                           StatusCode::kCorrupt));
}

TEST(OnnxModel, InitializerWithHugeDimsIsCorruptNotAnAllocation) {
  OnnxBuilder b;
  b.initializer<float>("c", {int64_t{1} << 20, int64_t{1} << 20}, {});  // 4 TiB if allocated
  b.node("Identity", {"c"}, {"y"}, "id");
  b.output("y");
  EXPECT_TRUE(refused_with(b.import(), {"tensor 'c': holds 0 values"}, StatusCode::kCorrupt));
}

TEST(OnnxModel, GraphInputThatIsAnInitializerIsAConstant) {
  OnnxBuilder b;
  b.input("x", kFloat, {-1, 2}).input("k", kFloat, {2}).initializer<float>("k", {2}, {1.0f, 2.0f});
  b.node("Add", {"x", "k"}, {"y"});
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  ASSERT_EQ(g->inputs.size(), 1u);
  EXPECT_EQ(g->value(g->inputs[0]).name, "x");
  EXPECT_EQ(g->value(g->inputs[0]).shape, (Shape{kDynamicDim, 2}));
  EXPECT_TRUE(value_named(*g, "k").constant.has_value());
}

TEST(OnnxModel, MissingDimIsDynamic) {
  OnnxBuilder b;
  b.input("x", kFloat, {1, 3});
  b.model.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(0)->Clear();
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(value_named(*g, "x").shape, (Shape{kDynamicDim, 3}));
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{kDynamicDim, 3}));
}

TEST(OnnxModel, NodeNamesDefaultToOpTypeAndIndexAndStayUnique) {
  OnnxBuilder b;
  b.input("x", kFloat, {2});
  b.node("Relu", {"x"}, {"a"});
  b.node("Relu", {"a"}, {"b"}, "r");
  b.node("Relu", {"b"}, {"c"}, "r");
  b.output("c");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  ASSERT_EQ(g->nodes.size(), 3u);
  EXPECT_EQ(g->nodes[0].name, "Relu_0");
  EXPECT_EQ(g->nodes[1].name, "r");
  EXPECT_EQ(g->nodes[2].name, "r_1");
  EXPECT_EQ(g->name, "test_graph");
}

TEST(OnnxModel, ConstantNodesBecomeConstantValues) {
  OnnxBuilder b;
  b.input("x", kFloat, {2, 3});
  b.node("Constant", {}, {"shape"}).ints("value_ints", {3, 2});
  b.node("Reshape", {"x", "shape"}, {"y"}, "reshape");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  ASSERT_EQ(g->nodes.size(), 1u);
  EXPECT_EQ(value_named(*g, "y").shape, (Shape{3, 2}));
}

TEST(OnnxModel, IdentityOfAConstantIsThatConstant) {
  OnnxBuilder b;
  b.input("x", kFloat, {-1, 2, 2, 2});
  for (const char* name : {"s", "bias", "stats"}) b.weight(name, {2});
  b.node("Identity", {"stats"}, {"mean"}, "torch_shared_initializer");
  b.node("BatchNormalization", {"x", "s", "bias", "mean", "stats"}, {"y"}, "bn");
  b.output("y");
  auto g = b.import();
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  ASSERT_EQ(g->nodes.size(), 1u);
  EXPECT_EQ(g->nodes[0].name, "bn");
  EXPECT_TRUE(g->is_constant(g->nodes[0].inputs[3]));
  EXPECT_EQ(value_named(*g, "mean").shape, (Shape{2}));
}

TEST(OnnxModel, SupportedOpsListMatchesTheOpTable) {
  auto ops = supported_onnx_ops();
  for (const char* op : {"Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "MaxPool",
                         "AveragePool", "GlobalAveragePool", "Flatten", "Reshape", "Transpose", "Squeeze", "Unsqueeze",
                         "Pad", "Concat", "BatchNormalization", "Softmax", "Identity", "QuantizeLinear",
                         "DequantizeLinear", "Constant"})
    EXPECT_NE(std::find(ops.begin(), ops.end(), op), ops.end()) << op;
  EXPECT_EQ(ops.size(), 25u);
}

// Every whole-model error: the message names the node, op and offending value (where there is a node).
struct ErrorCase {
  std::string what;
  std::function<OnnxBuilder()> build;
  StatusCode code;
  std::vector<std::string> expected;  // substrings of the message
};

TEST(OnnxModel, ErrorsNameNodeOpAndValue) {
  const std::vector<ErrorCase> cases = {
      {"unsupported op",
       [] {
         OnnxBuilder b;
         b.input("x", kFloat, {1, 2, 3});
         b.node("LSTM", {"x"}, {"y"}, "lstm1");
         b.output("y");
         return b;
       },
       StatusCode::kUnsupported,
       {"test.onnx: node 'lstm1' (LSTM): op LSTM is not supported", "qatrt imports Conv, MaxPool"}},
      {"unsupported op without a name",
       [] {
         OnnxBuilder b;
         b.input("x", kFloat, {1, 2});
         b.node("Relu", {"x"}, {"a"});
         b.node("Sigmoid", {"a"}, {"y"});
         b.output("y");
         return b;
       },
       StatusCode::kUnsupported,
       {"node 'Sigmoid_1' (Sigmoid): op Sigmoid is not supported"}},
      {"other domain",
       [] {
         OnnxBuilder b;
         b.input("x", kFloat, {1, 2});
         b.node("QLinearConv", {"x"}, {"y"}, "qconv").domain("com.microsoft");
         b.output("y");
         return b;
       },
       StatusCode::kUnsupported,
       {"node 'qconv' (com.microsoft.QLinearConv): op domain 'com.microsoft' is not supported"}},
      {"float16 input",
       [] {
         OnnxBuilder b;
         b.input("x", onnx::TensorProto::FLOAT16, {1, 2});
         b.node("Relu", {"x"}, {"y"}, "relu1");
         b.output("y");
         return b;
       },
       StatusCode::kUnsupported,
       {"graph input read by node 'relu1' (Relu): 'x': data type float16 is not supported", "float32"}},
      {"double initializer",
       [] {
         OnnxBuilder b;
         b.input("x", kFloat, {2});
         onnx::TensorProto t;
         t.set_name("k");
         t.set_data_type(onnx::TensorProto::DOUBLE);
         t.add_dims(2);
         t.add_double_data(1.0);
         t.add_double_data(2.0);
         *b.model.mutable_graph()->add_initializer() = t;
         b.node("Add", {"x", "k"}, {"y"}, "add1");
         b.output("y");
         return b;
       },
       StatusCode::kUnsupported,
       {"initializer 'k' read by node 'add1' (Add): tensor 'k': data type double is not supported"}},
      {"opset 11",
       [] {
         OnnxBuilder b(11);
         b.input("x", kFloat, {2});
         b.node("Relu", {"x"}, {"y"});
         b.output("y");
         return b;
       },
       StatusCode::kUnsupported,
       {"opset 11 is not supported", "version_converter"}},
      {"undefined input",
       [] {
         OnnxBuilder b;
         b.input("x", kFloat, {2});
         b.node("Add", {"x", "ghost"}, {"y"}, "add1");
         b.output("y");
         return b;
       },
       StatusCode::kInvalidArgument,
       {"node 'add1' (Add): input 'ghost' is not a graph input"}},
      {"value defined twice",
       [] {
         OnnxBuilder b;
         b.input("x", kFloat, {2});
         b.node("Relu", {"x"}, {"y"}, "r1");
         b.node("Relu", {"x"}, {"y"}, "r2");
         b.output("y");
         return b;
       },
       StatusCode::kInvalidArgument,
       {"value 'y' is defined twice"}},
      {"sequence input",
       [] {
         OnnxBuilder b;
         auto* v = b.model.mutable_graph()->add_input();
         v->set_name("seq");
         v->mutable_type()->mutable_sequence_type();
         b.node("Identity", {"seq"}, {"y"}, "id1");
         b.output("y");
         return b;
       },
       StatusCode::kUnsupported,
       {"graph input read by node 'id1' (Identity): 'seq': only tensor values are supported"}},
      {"missing graph output",
       [] {
         OnnxBuilder b;
         b.input("x", kFloat, {2});
         b.node("Relu", {"x"}, {"y"});
         b.output("nowhere");
         return b;
       },
       StatusCode::kInvalidArgument,
       {"graph output 'nowhere' is produced by no node"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_TRUE(refused_with(c.build().import(), c.expected, c.code));
  }
}

TEST(OnnxModel, GarbageAndTruncatedBytesAreCorrupt) {
  auto garbage = import_onnx_bytes(std::string("\xff\xfe this is not protobuf \x01\x02", 26), "garbage.onnx");
  EXPECT_TRUE(refused_with(garbage, {"garbage.onnx: not a valid ONNX model"}, StatusCode::kCorrupt));

  EXPECT_TRUE(refused_with(import_onnx_bytes("", "empty.onnx"), {}, StatusCode::kCorrupt));

  // Cut a real model at every length: import must fail cleanly (never crash, never succeed).
  OnnxBuilder b;
  b.input("x", kFloat, {1, 2, 4, 4}).weight("w", {2, 2, 3, 3});
  b.node("Conv", {"x", "w"}, {"y"}, "conv").ints("pads", {1, 1, 1, 1});
  b.output("y");
  const std::string bytes = b.bytes();
  ASSERT_TRUE(import_onnx_bytes(bytes, "full.onnx").ok());
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto cut = import_onnx_bytes(bytes.substr(0, length), "cut.onnx");
    EXPECT_FALSE(cut.ok()) << "truncated to " << length << " of " << bytes.size() << " bytes imported";
    if (!cut.ok()) {
      EXPECT_NE(cut.status().message().find("cut.onnx"), std::string::npos) << cut.status().message();
    }
  }
}

TEST(OnnxModel, FilesMissingAndPresent) {
  EXPECT_TRUE(refused_with(import_onnx_file("/nonexistent/dir/model.onnx"), {"'/nonexistent/dir/model.onnx'"},
                           StatusCode::kNotFound));

  OnnxBuilder b;
  b.input("x", kFloat, {2});
  b.node("Relu", {"x"}, {"y"});
  b.output("y");
  const std::string path = ::testing::TempDir() + "qatrt_onnx_import_test.onnx";
  {
    std::ofstream out(path, std::ios::binary);
    out << b.bytes();
  }
  auto g = import_onnx_file(path);
  std::remove(path.c_str());
  ASSERT_TRUE(g.ok()) << g.status().to_string();
  EXPECT_EQ(g->nodes.size(), 1u);
}

}  // namespace
}  // namespace qatrt::testing
