// The memory planner: places every activation buffer of an execution context in ONE arena, reusing bytes
// between buffers whose lifetimes do not overlap. Lifetimes are step indices (inclusive) over the context's
// schedule: a buffer is live from the step that writes it to the last step that reads it.
//
// Greedy by size, best fit (the TFLite "greedy by size" planner): buffers are placed largest first; each goes
// into the smallest gap between already-placed buffers that are live at the same time, or after the last of
// them. Offsets and sizes are rounded up to `alignment` bytes (64: a cache line, and enough for any SIMD load).
#pragma once

#include <cstddef>
#include <vector>

namespace qatrt {

struct BufferLifetime {
  size_t bytes = 0;
  int first_step = 0;  // writes it
  int last_step = 0;   // last reads it (≥ first_step)
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per buffer, in input order
  size_t arena_bytes = 0;
};

constexpr size_t kArenaAlignment = 64;

MemoryPlan plan_memory(const std::vector<BufferLifetime>& buffers, size_t alignment = kArenaAlignment);

inline bool lifetimes_overlap(const BufferLifetime& a, const BufferLifetime& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

}  // namespace qatrt
