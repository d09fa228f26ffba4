// The reference backend as a whole: every op in ops.def has a kernel, layout policies, refusals with reasons.
#include "backends/reference/kernel_util.h"
#include "one_node.h"

namespace qatrt::testing {
namespace {

// A node of each op with a float input: most are invalid (missing operands), but none may be refused for
// lacking a kernel.
TEST(ReferenceBackend, EveryOpHasAKernel) {
  auto backend = make_reference_backend();
  for (int i = 0; i < static_cast<int>(Op::kCount); ++i) {
    Graph g;
    ValueId x = g.add_value({.name = "x", .shape = {1, 1, 1, 1}});
    ValueId y = g.add_value({.name = "y", .shape = {1, 1, 1, 1}});
    g.add_node({.name = "n", .op = static_cast<Op>(i), .inputs = {x}, .outputs = {y}});
    Status s = backend->supports(g, g.nodes[0]);
    EXPECT_EQ(s.message().find("no reference kernel"), std::string::npos) << op_name(static_cast<Op>(i));
  }
}

TEST(ReferenceBackend, LayoutPolicies) {
  auto backend = make_reference_backend();
  Graph g;
  ValueId a = g.add_value({.name = "a", .shape = {1, 2, 3, 3}});
  ValueId b = g.add_value({.name = "b", .shape = {1, 2, 3, 3}});
  ValueId c = g.add_value({.name = "c", .shape = {2, 1, 1}});
  auto policy = [&](Op op, std::vector<ValueId> inputs) {
    Node n{.name = "n", .op = op, .inputs = std::move(inputs), .outputs = {a}};
    return backend->layout_policy(g, n);
  };
  EXPECT_EQ(policy(Op::kAdd, {a, b}), LayoutPolicy::kAny);
  EXPECT_EQ(policy(Op::kAdd, {a, c}), LayoutPolicy::kNchw);
  EXPECT_EQ(policy(Op::kRelu, {a}), LayoutPolicy::kAny);
  EXPECT_EQ(policy(Op::kQuantizeLinear, {a}), LayoutPolicy::kAny);
  EXPECT_EQ(policy(Op::kRequantize, {a}), LayoutPolicy::kAny);
  EXPECT_EQ(policy(Op::kConv, {a, b}), LayoutPolicy::kNchw);
  EXPECT_EQ(policy(Op::kMaxPool, {a}), LayoutPolicy::kNchw);
  EXPECT_EQ(policy(Op::kConcat, {a, b}), LayoutPolicy::kNchw);
}

TEST(ReferenceBackend, RefusesDynamicShapesNamingTheValue) {
  OneNode t(Op::kRelu);
  t.input(DType::kFloat32, {kDynamicDim, 4});
  Status s = t.supports();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("'in0'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("node 'n' (Relu)"), std::string::npos) << s.message();
}

TEST(ReferenceBackend, RefusesUnsupportedDtypeNamingIt) {
  OneNode t(Op::kRelu);
  t.input(DType::kInt8, {4}, per_tensor(1.0f));
  Status s = t.supports();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("int8"), std::string::npos) << s.message();
}

TEST(KernelUtil, AxisCoordinateInBothLayouts) {
  // [N=1, C=3, H=2, W=2]: channel of flat index i.
  auto nchw = reference::axis_coordinate({1, 3, 2, 2}, Layout::kNchw, 1);
  auto nhwc = reference::axis_coordinate({1, 3, 2, 2}, Layout::kNhwc, 1);
  EXPECT_EQ(nchw(0), 0);
  EXPECT_EQ(nchw(4), 1);
  EXPECT_EQ(nchw(11), 2);
  EXPECT_EQ(nhwc(0), 0);
  EXPECT_EQ(nhwc(1), 1);
  EXPECT_EQ(nhwc(5), 2);
  EXPECT_EQ(nhwc(11), 2);
  // W in NHWC sits between H and C.
  auto w_nhwc = reference::axis_coordinate({1, 3, 2, 2}, Layout::kNhwc, 3);
  EXPECT_EQ(w_nhwc(3), 1);
  EXPECT_EQ(w_nhwc(6), 0);
}

TEST(KernelUtil, BroadcastIndex) {
  reference::BroadcastIndex row({3}, {2, 3}), col({2, 1}, {2, 3}), same({2, 3}, {2, 3});
  EXPECT_EQ(row(4), 1);
  EXPECT_EQ(col(4), 1);
  EXPECT_EQ(col(2), 0);
  EXPECT_EQ(same(5), 5);
}

}  // namespace
}  // namespace qatrt::testing
