// The options of `qatrt bench`, shared by the host benchmark (bench_command.cc) and the GPU one (cuda_bench.h).
#pragma once

#include <cstdint>
#include <string>

namespace qatrt::cli {

struct BenchOptions {
  std::string plan;
  int64_t batch = 1;
  int iterations = 10;
  double duration_s = 3.0;
  bool iterations_given = false, duration_given = false;
  double warm_up_ms = 200;
  int threads = 0;
  std::string backend = "cpu";
  std::string export_times;
  std::string export_profile;  // cuda only: per-layer times
  int streams = 1;             // cuda only: execution contexts replaying at once, one stream and host thread each
};

// trtexec's stopping rule: time at least `iterations` runs and at least `duration_s` seconds; with only
// --iterations, exactly that many; with neither, 10 runs and 3 s. At least one run in any case.
bool keep_timing(const BenchOptions& options, size_t runs_done, double elapsed_ms);
// How many runs may still go in one batch under that rule without overshooting an --iterations-only count.
int runs_left(const BenchOptions& options, size_t runs_done, int batch);

}  // namespace qatrt::cli
