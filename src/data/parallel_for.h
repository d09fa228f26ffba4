// Runs work(i) for i in [0, count) on `threads` threads (0 = hardware threads, never more than count):
// workers claim the next unclaimed index from an atomic counter, so uneven items (images of different sizes)
// balance themselves. Returns the error of the first failing index in index order, or ok.
#pragma once

#include <cstddef>
#include <functional>

#include "core/status.h"

namespace qatrt {

Status parallel_for(size_t count, int threads, const std::function<Status(size_t)>& work);

}  // namespace qatrt
