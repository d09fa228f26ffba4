#include "bench_options.h"

#include <algorithm>

namespace qatrt::cli {
namespace {

bool time_bound(const BenchOptions& o) { return o.duration_given || !o.iterations_given; }
bool count_bound(const BenchOptions& o) { return o.iterations_given || !o.duration_given; }

}  // namespace

bool keep_timing(const BenchOptions& o, size_t runs_done, double elapsed_ms) {
  return runs_done == 0 || (count_bound(o) && runs_done < static_cast<size_t>(o.iterations)) ||
         (time_bound(o) && elapsed_ms < o.duration_s * 1000.0);
}

int runs_left(const BenchOptions& o, size_t runs_done, int batch) {
  if (time_bound(o)) return batch;
  return std::clamp(o.iterations - static_cast<int>(runs_done), 1, batch);
}

}  // namespace qatrt::cli
