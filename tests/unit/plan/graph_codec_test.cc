// The graph/weights section codec on its own (no verifier): every attribute type and dtype survives
// bit-exactly, and a damaged graph section is an error naming the field, never a crash.
#include <cmath>
#include <limits>
#include <random>

#include "plan/graph_codec.h"
#include "plan_test_util.h"

namespace qatrt {
namespace {

using plan_test::graphs_equal;

// Not a runnable network: a catalogue of everything the codec must carry.
Graph every_feature_graph() {
  Graph g;
  g.name = "catalogue \xCE\xB1\xCE\xB2";  // UTF-8 in names
  ValueId in = g.add_value({.name = "in", .dtype = DType::kUInt8, .shape = {kDynamicDim, 3, 5, kDynamicDim},
                            .quant = QuantParams{{0.5f, 0.25f, 0.125f}, {128, 127, 3}, 1}});
  ValueId scalar = g.add_value({.name = "", .dtype = DType::kBool, .shape = {}});
  g.add_constant("f32", Tensor::from_vector<float>({2, 2}, {1.5f, -0.0f, std::numeric_limits<float>::infinity(), 3e-39f}));
  g.add_constant("i8", Tensor::from_vector<int8_t>({3}, {-128, 0, 127}));
  g.add_constant("u8", Tensor::from_vector<uint8_t>({2}, {0, 255}));
  g.add_constant("i32", Tensor::from_vector<int32_t>({1, 1, 1}, {-2147483647 - 1}));
  g.add_constant("i64", Tensor::from_vector<int64_t>({2}, {std::numeric_limits<int64_t>::min(), 42}));
  Tensor flags(DType::kBool, {2});
  flags.data<bool>()[0] = true;
  g.add_constant("bool", flags);
  g.add_constant("empty", Tensor(DType::kFloat32, {0, 4}));
  g.add_constant("scalar_const", Tensor::scalar(7.0f));
  ValueId out = g.add_value({.name = "out", .dtype = DType::kInt8, .shape = {1},
                             .quant = QuantParams{{1.0f}, {-5}, 0}});
  g.inputs = {in, scalar};
  g.outputs = {out};
  const float nan = std::bit_cast<float>(0x7FC01234u);  // a NaN with a payload: bits must survive
  g.add_node({.name = "everything",
              .op = Op::kQConv,
              .inputs = {in, kNoValue, scalar, kNoValue},
              .outputs = {out},
              .attrs = {{"int", int64_t{-9007199254740993}},
                        {"float", nan},
                        {"neg_zero", -0.0f},
                        {"string", std::string("SAME_UPPER")},
                        {"empty_string", std::string()},
                        {"ints", std::vector<int64_t>{1, -2, 3}},
                        {"no_ints", std::vector<int64_t>{}},
                        {"floats", std::vector<float>{0.1f, -std::numeric_limits<float>::infinity(), nan}},
                        {"tensor", Tensor::from_vector<int32_t>({2, 3}, {1, 2, 3, 4, 5, 6})},
                        {"tensor_i8", Tensor::from_vector<int8_t>({1}, {-1})}},
              .precision = Precision::kInt8,
              .precision_reason = "every attribute type",
              .fused_from = {"a", "", "c"}});
  g.add_node({.name = "second", .op = Op::kIdentity, .inputs = {out}, .outputs = {}, .precision = Precision::kUnset});
  return g;
}

TEST(GraphCodec, RoundTripsEveryAttributeTypeDtypeAndQuantParams) {
  Graph g = every_feature_graph();
  auto encoded = encode_graph(g);
  ASSERT_TRUE(encoded.ok()) << encoded.status().to_string();
  auto decoded = decode_graph(encoded->graph, encoded->weights);
  ASSERT_TRUE(decoded.ok()) << decoded.status().to_string();
  EXPECT_TRUE(graphs_equal(g, *decoded));
}

TEST(GraphCodec, ConstantsStartAt64ByteAlignedOffsets) {
  Graph g;
  g.add_constant("a", Tensor::from_vector<int8_t>({3}, {1, 2, 3}));
  g.add_constant("b", Tensor::from_vector<int8_t>({3}, {4, 5, 6}));
  auto encoded = encode_graph(g);
  ASSERT_TRUE(encoded.ok());
  ASSERT_EQ(encoded->weights.size(), 64u + 3) << "b must start at offset 64";
  EXPECT_EQ(encoded->weights[64], 4);
  EXPECT_EQ(encoded->weights[3], 0) << "padding is zero";
}

TEST(GraphCodec, DetectsTheDifferenceItMustPreserve) {
  // Guards graphs_equal itself: a changed float bit, attribute or quant scale must be noticed.
  Graph a = every_feature_graph();
  Graph b = every_feature_graph();
  b.nodes[0].attrs["neg_zero"] = 0.0f;
  EXPECT_FALSE(graphs_equal(a, b));
  b = every_feature_graph();
  b.values[0].quant->scales[2] = 0.126f;
  EXPECT_FALSE(graphs_equal(a, b));
  b = every_feature_graph();
  b.values[2].constant->data<float>()[3] = 0;
  EXPECT_FALSE(graphs_equal(a, b));
}

TEST(GraphCodec, RefusesConstantsWithDynamicShape) {
  Graph g;
  ValueId c = g.add_value({.name = "bad", .shape = {kDynamicDim}});
  g.value(c).constant = Tensor();
  auto encoded = encode_graph(g);
  ASSERT_FALSE(encoded.ok());
  EXPECT_NE(encoded.status().message().find("'bad'"), std::string::npos) << encoded.status().to_string();
}

TEST(GraphCodec, ConstantMustMatchItsValue) {
  Graph g;
  ValueId c = g.add_constant("c", Tensor::from_vector<int8_t>({2}, {1, 2}));
  g.value(c).shape = {3};
  auto refused = encode_graph(g);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("value 'c' is int8[3] but its constant is int8[2]"), std::string::npos)
      << refused.status().to_string();

  // The decoder checks the same on bytes it did not write: patch the value's dimension (graph name "" 4 bytes,
  // value count 4, name "c" 5, dtype "int8" 8, rank 4 → the dimension starts at byte 25).
  g.value(c).shape = {2};
  auto encoded = encode_graph(g);
  ASSERT_TRUE(encoded.ok());
  ASSERT_EQ(encoded->graph[25], 2);
  encoded->graph[25] = 3;
  auto decoded = decode_graph(encoded->graph, encoded->weights);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("value 'c' is int8[3] but its constant is int8[2]"), std::string::npos)
      << decoded.status().to_string();
}

TEST(GraphCodec, EveryTruncationOfTheGraphSectionIsAnError) {
  auto encoded = encode_graph(every_feature_graph());
  ASSERT_TRUE(encoded.ok());
  const auto& bytes = encoded->graph;
  for (size_t length = 0; length < bytes.size(); ++length) {
    auto decoded = decode_graph(std::span(bytes).first(length), encoded->weights);
    ASSERT_FALSE(decoded.ok()) << "graph section truncated to " << length << " of " << bytes.size() << " bytes decoded";
    EXPECT_EQ(decoded.status().code(), StatusCode::kCorrupt) << decoded.status().to_string();
  }
}

TEST(GraphCodec, TruncatedWeightsSectionIsAnErrorNamingTheTensor) {
  auto encoded = encode_graph(every_feature_graph());
  ASSERT_TRUE(encoded.ok());
  auto weights = std::span(encoded->weights).first(encoded->weights.size() - 1);
  auto decoded = decode_graph(encoded->graph, weights);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("tensor_i8"), std::string::npos) << decoded.status().to_string();
  EXPECT_NE(decoded.status().message().find("weights section"), std::string::npos) << decoded.status().to_string();
}

// Without checksums in the way (those are tested in plan_corruption_test.cc), random damage must still end
// in either a clean error or a graph, never a crash or a runaway allocation. Run under
// -DQATRT_SANITIZE=ON to turn silent out-of-bounds reads into failures.
TEST(GraphCodec, RandomDamageNeverCrashes) {
  auto encoded = encode_graph(every_feature_graph());
  ASSERT_TRUE(encoded.ok());
  std::mt19937 rng(1234);
  int errors = 0;
  const int trials = 3000;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<uint8_t> bytes = encoded->graph;
    const int flips = 1 + trial % 4;
    for (int f = 0; f < flips; ++f) bytes[rng() % bytes.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    auto decoded = decode_graph(bytes, encoded->weights);
    if (!decoded.ok()) {
      ++errors;
      EXPECT_EQ(decoded.status().code(), StatusCode::kCorrupt) << decoded.status().to_string();
      EXPECT_NE(decoded.status().message().find("graph section"), std::string::npos) << decoded.status().to_string();
    }
  }
  // Most flips hit lengths, ids, names or tags; some (inside float payloads) decode to a different graph.
  EXPECT_GT(errors, trials / 4);
}

}  // namespace
}  // namespace qatrt
