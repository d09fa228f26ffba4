#include "runtime/memory_planner.h"

#include <algorithm>
#include <limits>
#include <numeric>

namespace qatrt {
namespace {

size_t round_up(size_t n, size_t alignment) { return (n + alignment - 1) / alignment * alignment; }

}  // namespace

MemoryPlan plan_memory(const std::vector<BufferLifetime>& buffers, size_t alignment) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  // Largest first; ties by first use so the result does not depend on the sort's stability.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (buffers[a].bytes != buffers[b].bytes) return buffers[a].bytes > buffers[b].bytes;
    return buffers[a].first_step < buffers[b].first_step;
  });

  std::vector<size_t> placed;  // indices already given an offset
  for (size_t index : order) {
    const BufferLifetime& buffer = buffers[index];
    const size_t size = round_up(std::max<size_t>(buffer.bytes, 1), alignment);
    // The placed buffers live at the same time as this one, by offset.
    std::vector<size_t> live;
    for (size_t other : placed)
      if (lifetimes_overlap(buffer, buffers[other])) live.push_back(other);
    std::sort(live.begin(), live.end(), [&](size_t a, size_t b) { return plan.offsets[a] < plan.offsets[b]; });

    size_t best_offset = 0, best_gap = std::numeric_limits<size_t>::max();
    size_t cursor = 0;  // end of the bytes taken by live buffers seen so far
    for (size_t other : live) {
      const size_t start = plan.offsets[other];
      if (start > cursor && start - cursor >= size && start - cursor < best_gap) {
        best_gap = start - cursor;
        best_offset = cursor;
      }
      cursor = std::max(cursor, start + round_up(std::max<size_t>(buffers[other].bytes, 1), alignment));
    }
    plan.offsets[index] = best_gap != std::numeric_limits<size_t>::max() ? best_offset : cursor;
    plan.arena_bytes = std::max(plan.arena_bytes, plan.offsets[index] + size);
    placed.push_back(index);
  }
  return plan;
}

}  // namespace qatrt
