// The memory planner on synthetic lifetimes, and on real schedules: no two buffers live at the same time
// share a byte, offsets are 64-byte aligned, buffers with disjoint lifetimes reuse memory.
#include <gtest/gtest.h>

#include <random>

#include "runtime/memory_planner.h"

namespace qatrt {
namespace {

void expect_no_live_overlap(const std::vector<BufferLifetime>& buffers, const MemoryPlan& plan) {
  ASSERT_EQ(plan.offsets.size(), buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    EXPECT_EQ(plan.offsets[i] % kArenaAlignment, 0u) << "buffer " << i;
    EXPECT_LE(plan.offsets[i] + buffers[i].bytes, plan.arena_bytes) << "buffer " << i;
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (!lifetimes_overlap(buffers[i], buffers[j])) continue;
      bool disjoint = plan.offsets[i] + buffers[i].bytes <= plan.offsets[j] ||
                      plan.offsets[j] + buffers[j].bytes <= plan.offsets[i];
      EXPECT_TRUE(disjoint) << "buffers " << i << " [" << plan.offsets[i] << ", +" << buffers[i].bytes << ") steps "
                            << buffers[i].first_step << ".." << buffers[i].last_step << " and " << j << " ["
                            << plan.offsets[j] << ", +" << buffers[j].bytes << ") steps " << buffers[j].first_step
                            << ".." << buffers[j].last_step << " are live together and overlap";
    }
  }
}

TEST(MemoryPlanner, ChainReusesTwoSlots) {
  // a → b → c → d: each buffer is read only by the next step, so two slots suffice.
  std::vector<BufferLifetime> chain{{1000, 0, 1}, {1000, 1, 2}, {1000, 2, 3}, {1000, 3, 4}};
  MemoryPlan plan = plan_memory(chain);
  expect_no_live_overlap(chain, plan);
  EXPECT_EQ(plan.arena_bytes, 2 * 1024u);  // 1000 rounded up to 64 bytes, twice
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
  EXPECT_EQ(plan.offsets[1], plan.offsets[3]);
}

TEST(MemoryPlanner, BestFitTakesTheSmallestGap) {
  // Largest first: G1 (1024, steps 0..1) at 0, L1 (512, 0..4) at 1024, G2 (384, 0..1) at 1536, L2 (320, 0..4)
  // at 1920. When E (256, 3..4) is placed only L1 and L2 are live with it, leaving gaps [0, 1024) and
  // [1536, 1920): best fit takes the smaller one (first fit would take offset 0).
  std::vector<BufferLifetime> buffers{{1024, 0, 1}, {512, 0, 4}, {384, 0, 1}, {320, 0, 4}, {256, 3, 4}};
  MemoryPlan plan = plan_memory(buffers);
  expect_no_live_overlap(buffers, plan);
  EXPECT_EQ(plan.offsets, (std::vector<size_t>{0, 1024, 1536, 1920, 1536}));
  EXPECT_EQ(plan.arena_bytes, 1920u + 320u);
}

TEST(MemoryPlanner, RandomLifetimesNeverOverlapAndReuse) {
  std::mt19937 rng(99);
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<BufferLifetime> buffers;
    size_t total = 0;
    int count = 2 + static_cast<int>(rng() % 40);
    for (int i = 0; i < count; ++i) {
      int first = static_cast<int>(rng() % 30);
      BufferLifetime b{1 + rng() % 5000, first, first + static_cast<int>(rng() % 6)};
      total += (b.bytes + 63) / 64 * 64;
      buffers.push_back(b);
    }
    MemoryPlan plan = plan_memory(buffers);
    SCOPED_TRACE("trial " + std::to_string(trial));
    expect_no_live_overlap(buffers, plan);
    EXPECT_LE(plan.arena_bytes, total);
    if (::testing::Test::HasFailure()) return;
  }
}

TEST(MemoryPlanner, EmptyAndZeroSizedBuffers) {
  EXPECT_EQ(plan_memory({}).arena_bytes, 0u);
  std::vector<BufferLifetime> buffers{{0, 0, 0}, {0, 0, 1}};
  MemoryPlan plan = plan_memory(buffers);
  EXPECT_NE(plan.offsets[0], plan.offsets[1]);  // distinct addresses even when empty
}

}  // namespace
}  // namespace qatrt
