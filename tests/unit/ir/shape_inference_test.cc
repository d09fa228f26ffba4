#include "ir/shape_inference.h"

#include <gtest/gtest.h>

#include "ir/printer.h"
#include "ir/verifier.h"

namespace qatrt {
namespace {

struct ConvCase {
  Shape x, w;
  std::vector<int64_t> strides, pads, dilations;
  int64_t group;
  std::string auto_pad;
  Shape expected;
};

TEST(ShapeInference, ConvSweep) {
  const std::vector<ConvCase> cases = {
      {{1, 3, 224, 224}, {64, 3, 7, 7}, {2, 2}, {3, 3, 3, 3}, {1, 1}, 1, "NOTSET", {1, 64, 112, 112}},
      {{-1, 64, 56, 56}, {64, 64, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1, "NOTSET", {-1, 64, 56, 56}},
      {{2, 8, 9, 9}, {8, 1, 3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 8, "SAME_UPPER", {2, 8, 5, 5}},
      {{2, 8, 10, 10}, {4, 4, 3, 3}, {1, 1}, {0, 0, 0, 0}, {2, 2}, 2, "VALID", {2, 4, 6, 6}},
      {{1, 4, 7, 5}, {6, 4, 1, 1}, {2, 1}, {0, 0, 1, 1}, {1, 1}, 1, "NOTSET", {1, 6, 4, 6}},
  };
  for (const auto& c : cases) {
    Graph g;
    ValueId x = g.add_value({.name = "x", .shape = c.x});
    ValueId w = g.add_constant("w", Tensor(DType::kFloat32, c.w));
    ValueId y = g.add_value({.name = "y"});
    g.inputs = {x};
    g.outputs = {y};
    g.add_node({.name = "conv", .op = Op::kConv, .inputs = {x, w}, .outputs = {y},
                .attrs = {{"strides", c.strides}, {"pads", c.pads}, {"dilations", c.dilations}, {"group", c.group},
                          {"auto_pad", c.auto_pad}}});
    ASSERT_TRUE(infer_shapes(g).ok()) << shape_to_string(c.x);
    EXPECT_EQ(g.value(y).shape, c.expected) << "x=" << shape_to_string(c.x) << " w=" << shape_to_string(c.w)
                                            << " auto_pad=" << c.auto_pad << " got " << shape_to_string(g.value(y).shape);
    EXPECT_TRUE(verify_graph(g).ok()) << verify_graph(g).to_string();
  }
}

TEST(ShapeInference, SameLowerPutsExtraPadAtBegin) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .shape = {1, 1, 4, 4}});
  ValueId w = g.add_constant("w", Tensor(DType::kFloat32, {1, 1, 2, 2}));
  ValueId y = g.add_value({.name = "y"});
  g.add_node({.name = "conv", .op = Op::kConv, .inputs = {x, w}, .outputs = {y}, .attrs = {{"auto_pad", std::string("SAME_LOWER")}}});
  ASSERT_TRUE(infer_shapes(g).ok());
  EXPECT_EQ(g.nodes[0].attr_ints("pads"), (std::vector<int64_t>{1, 1, 0, 0}));
}

TEST(ShapeInference, ReshapeWithDynamicBatch) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .shape = {-1, 2048, 1, 1}});
  ValueId s1 = g.add_constant("s1", Tensor::from_vector<int64_t>({2}, {0, -1}));
  ValueId s2 = g.add_constant("s2", Tensor::from_vector<int64_t>({2}, {-1, 2048}));
  ValueId a = g.add_value({.name = "a"});
  ValueId b = g.add_value({.name = "b"});
  g.add_node({.name = "r1", .op = Op::kReshape, .inputs = {x, s1}, .outputs = {a}});
  g.add_node({.name = "r2", .op = Op::kReshape, .inputs = {x, s2}, .outputs = {b}});
  ASSERT_TRUE(infer_shapes(g).ok());
  EXPECT_EQ(g.value(a).shape, (Shape{-1, 2048}));
  EXPECT_EQ(g.value(b).shape, (Shape{-1, 2048}));
}

TEST(ShapeInference, QuantizeSetsQuantAndMaxPoolCarriesIt) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .shape = {1, 2, 4, 4}});
  ValueId q = g.add_value({.name = "q"});
  ValueId p = g.add_value({.name = "p"});
  g.add_node({.name = "quant", .op = Op::kQuantizeLinear, .inputs = {x}, .outputs = {q},
              .attrs = {{"scale", std::vector<float>{0.5f}}, {"zero_point", std::vector<int64_t>{0}},
                        {"axis", int64_t{1}}, {"output_dtype", static_cast<int64_t>(DType::kInt8)}}});
  g.add_node({.name = "pool", .op = Op::kMaxPool, .inputs = {q}, .outputs = {p},
              .attrs = {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{2, 2}}}});
  ASSERT_TRUE(infer_shapes(g).ok());
  EXPECT_EQ(g.value(p).dtype, DType::kInt8);
  ASSERT_TRUE(g.value(p).quant.has_value());
  EXPECT_EQ(g.value(p).quant->scales[0], 0.5f);
  EXPECT_EQ(g.value(p).shape, (Shape{1, 2, 2, 2}));
  EXPECT_NE(print_graph(g).find("MaxPool"), std::string::npos);
}

TEST(ShapeInference, BadBroadcastNamesNodeAndShapes) {
  Graph g;
  ValueId a = g.add_value({.name = "a", .shape = {2, 3}});
  ValueId b = g.add_value({.name = "b", .shape = {4}});
  ValueId c = g.add_value({.name = "c"});
  g.add_node({.name = "add0", .op = Op::kAdd, .inputs = {a, b}, .outputs = {c}});
  Status s = infer_shapes(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("add0"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("[2,3]"), std::string::npos) << s.message();
}

TEST(Verifier, RejectsNonTopologicalOrderAndDoubleProducer) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .shape = {1}});
  ValueId a = g.add_value({.name = "a", .shape = {1}});
  ValueId b = g.add_value({.name = "b", .shape = {1}});
  g.inputs = {x};
  g.outputs = {b};
  g.add_node({.name = "second", .op = Op::kRelu, .inputs = {a}, .outputs = {b}});
  g.add_node({.name = "first", .op = Op::kRelu, .inputs = {x}, .outputs = {a}});
  Status s = verify_graph(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("second"), std::string::npos);
  std::swap(g.nodes[0], g.nodes[1]);
  EXPECT_TRUE(verify_graph(g).ok());
  g.add_node({.name = "again", .op = Op::kRelu, .inputs = {x}, .outputs = {a}});
  EXPECT_FALSE(verify_graph(g).ok());
}

TEST(Verifier, QConvNeedsQuantParamsOnInt8Operands) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .dtype = DType::kInt8, .shape = {1, 1, 3, 3}});
  ValueId w = g.add_constant("w", Tensor(DType::kInt8, {1, 1, 1, 1}));
  ValueId y = g.add_value({.name = "y", .shape = {1, 1, 3, 3}});
  g.inputs = {x};
  g.outputs = {y};
  g.add_node({.name = "qc", .op = Op::kQConv, .inputs = {x, w}, .outputs = {y}});
  EXPECT_FALSE(verify_graph(g).ok());
  g.value(x).quant = QuantParams{{0.1f}, {0}, 1};
  g.value(w).quant = QuantParams{{0.2f}, {0}, 0};
  EXPECT_TRUE(verify_graph(g).ok()) << verify_graph(g).to_string();
}

}  // namespace
}  // namespace qatrt
