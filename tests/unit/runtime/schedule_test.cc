// The schedule of a context: reorders exactly where a consumer needs the other layout, constants of kAny
// kernels reordered once at build time, and arena placement that never overlaps live buffers.
#include <gtest/gtest.h>

#include "backends/reference/reference_backend.h"
#include "fake_nhwc_backend.h"
#include "runtime/layout_reorder.h"
#include "runtime/memory_planner.h"
#include "runtime/schedule.h"
#include "test_graph.h"

namespace qatrt::testing {
namespace {

using Ints = std::vector<int64_t>;

// x → Conv (NHWC) → Relu (kAny: stays NHWC) → Mul by a same-shape constant (kAny: the constant is reordered to
// NHWC) → Concat with x (NCHW kernel: the NHWC operand is reordered back) → output.
Graph graph_for_layouts() {
  TestGraph t;
  ValueId x = t.input("x", {1, 2, 3, 3});
  ValueId c = t.node(Op::kConv, "conv", {x, t.random_constant("w", {2, 2, 1, 1})});
  ValueId r = t.node(Op::kRelu, "relu", {c});
  ValueId m = t.node(Op::kMul, "mul", {r, t.random_constant("k", {1, 2, 3, 3})});
  ValueId cat = t.node(Op::kConcat, "concat", {m, x}, {{"axis", int64_t{1}}});
  t.output(cat);
  return t.finish();
}

TEST(Schedule, ReordersOnlyWhereLayoutsDiffer) {
  Graph graph = graph_for_layouts();
  FakeNhwcBackend fake;
  auto reference = make_reference_backend();
  auto schedule = build_schedule(graph, fake, *reference);
  ASSERT_TRUE(schedule.ok()) << schedule.status().to_string();
  std::vector<std::string> steps;
  for (const auto& s : schedule->steps) steps.push_back(s.what);
  std::vector<std::string> expected{"reorder of 'x' to NHWC",
                                    "node 'conv' (Conv) on fake-nhwc",
                                    "node 'relu' (Relu) on fake-nhwc",
                                    "node 'mul' (Mul) on reference",
                                    "reorder of 'mul_out' to NCHW",
                                    "node 'concat' (Concat) on reference"};
  EXPECT_EQ(steps, expected);
  // mul's constant operand was stored NHWC once, at build time.
  const auto& mul_step = schedule->steps[3];
  const ScheduledBuffer& k = schedule->buffers[mul_step.inputs[1]];
  EXPECT_EQ(k.storage, ScheduledBuffer::Storage::kConstant);
  EXPECT_EQ(k.layout, Layout::kNhwc);
  EXPECT_EQ(schedule->buffers[mul_step.outputs[0]].layout, Layout::kNhwc);
  // concat reads x in its original NCHW buffer (the graph input), not the NHWC copy.
  EXPECT_EQ(schedule->buffers[schedule->steps[5].inputs[1]].storage, ScheduledBuffer::Storage::kGraphInput);
}

TEST(Schedule, AllReferenceNeedsNoReorders) {
  Graph graph = graph_for_layouts();
  auto reference = make_reference_backend();
  auto schedule = build_schedule(graph, *reference, *reference);
  ASSERT_TRUE(schedule.ok()) << schedule.status().to_string();
  for (const auto& s : schedule->steps) EXPECT_NE(s.kernel, nullptr) << s.what;
}

// Lifetimes recomputed from the steps, then checked pairwise against the offsets the schedule chose.
TEST(Schedule, ArenaBuffersLiveTogetherNeverOverlap) {
  TestGraph t;
  ValueId x = t.input("x", {1, 4, 8, 8});
  ValueId v = x;
  std::vector<ValueId> kept;
  for (int i = 0; i < 6; ++i) {
    v = t.node(Op::kConv, "conv" + std::to_string(i), {v, t.random_constant("w" + std::to_string(i), {4, 4, 3, 3})},
               {{"pads", Ints{1, 1, 1, 1}}});
    v = t.node(Op::kRelu, "relu" + std::to_string(i), {v});
    if (i % 2 == 0) kept.push_back(v);
  }
  for (ValueId k : kept) v = t.node(Op::kAdd, "skip" + std::to_string(k), {v, k});
  t.output(v);
  Graph graph = t.finish();
  FakeNhwcBackend fake;
  auto reference = make_reference_backend();
  auto schedule = build_schedule(graph, fake, *reference);
  ASSERT_TRUE(schedule.ok()) << schedule.status().to_string();

  const int end = static_cast<int>(schedule->steps.size());
  std::map<int, BufferLifetime> life;
  for (int s = 0; s < end; ++s)
    for (int b : schedule->steps[s].outputs) life[b] = {schedule->buffers[b].nbytes(), s, s};
  for (int s = 0; s < end; ++s)
    for (int b : schedule->steps[s].inputs)
      if (life.count(b)) life[b].last_step = s;
  for (int b : schedule->output_buffers) life[b].last_step = end;
  size_t total = 0;
  for (auto& [b, l] : life) {
    total += l.bytes;
    EXPECT_LE(schedule->buffers[b].offset + l.bytes, schedule->arena_bytes);
    for (auto& [b2, l2] : life) {
      if (b2 <= b || !lifetimes_overlap(l, l2)) continue;
      size_t o1 = schedule->buffers[b].offset, o2 = schedule->buffers[b2].offset;
      EXPECT_TRUE(o1 + l.bytes <= o2 || o2 + l2.bytes <= o1)
          << "buffers of '" << graph.value(schedule->buffers[b].value).name << "' and '"
          << graph.value(schedule->buffers[b2].value).name << "' overlap while both live";
    }
  }
  EXPECT_LT(schedule->arena_bytes, total) << "no reuse happened";
}

TEST(LayoutReorder, NchwToNhwcAndBack) {
  // [1,2,2,2] NCHW: c0 = 0 1 2 3, c1 = 4 5 6 7 → NHWC interleaves the channels.
  Tensor nchw = Tensor::from_vector<int8_t>({1, 2, 2, 2}, {0, 1, 2, 3, 4, 5, 6, 7});
  Tensor nhwc = reordered_constant(nchw, Layout::kNhwc);
  auto v = nhwc.values<int8_t>();
  EXPECT_EQ(std::vector<int8_t>(v.begin(), v.end()), (std::vector<int8_t>{0, 4, 1, 5, 2, 6, 3, 7}));
  Tensor back(DType::kInt8, {1, 2, 2, 2});
  reorder_layout({.dtype = DType::kInt8, .shape = {1, 2, 2, 2}, .data = nhwc.raw(), .layout = Layout::kNhwc},
                 {.dtype = DType::kInt8, .shape = {1, 2, 2, 2}, .data = back.raw()});
  auto b = back.values<int8_t>();
  EXPECT_EQ(std::vector<int8_t>(b.begin(), b.end()), (std::vector<int8_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

}  // namespace
}  // namespace qatrt::testing
