#include "ir/graph.h"

#include <gtest/gtest.h>

namespace qatrt {
namespace {

TEST(Graph, CompactRenumbersAndKeepsReferencedValues) {
  Graph g;
  ValueId x = g.add_value({.name = "x", .shape = {1, 4}});
  ValueId unused = g.add_value({.name = "unused"});
  ValueId y = g.add_value({.name = "y", .shape = {1, 4}});
  g.inputs = {x};
  g.outputs = {y};
  g.add_node({.name = "relu", .op = Op::kRelu, .inputs = {x}, .outputs = {y}});
  (void)unused;
  g.compact();
  ASSERT_EQ(g.values.size(), 2u);
  EXPECT_EQ(g.value(g.nodes[0].outputs[0]).name, "y");
  EXPECT_EQ(g.value(g.outputs[0]).name, "y");
}

TEST(Graph, RemoveDeadNodesKeepsOutputsChain) {
  Graph g;
  ValueId x = g.add_value({.name = "x"});
  ValueId a = g.add_value({.name = "a"});
  ValueId b = g.add_value({.name = "b"});
  g.inputs = {x};
  g.outputs = {a};
  g.add_node({.name = "keep", .op = Op::kRelu, .inputs = {x}, .outputs = {a}});
  g.add_node({.name = "dead", .op = Op::kRelu, .inputs = {a}, .outputs = {b}});
  g.remove_dead_nodes();
  ASSERT_EQ(g.nodes.size(), 1u);
  EXPECT_EQ(g.nodes[0].name, "keep");
  EXPECT_EQ(g.consumers(x), std::vector<int>{0});
  EXPECT_EQ(g.producer(a), 0);
}

TEST(Graph, UniqueNameAvoidsCollisions) {
  Graph g;
  g.add_value({.name = "w"});
  g.add_value({.name = "w_1"});
  EXPECT_EQ(g.unique_name("w"), "w_2");
  EXPECT_EQ(g.unique_name("z"), "z");
}

}  // namespace
}  // namespace qatrt
