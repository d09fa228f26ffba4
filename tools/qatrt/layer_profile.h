// The per-layer GPU profile of `bench --backend cuda --exportProfile`, joined with each layer's work:
//   JSON: trtexec's profile format (a count entry, then name / op / timeMs / averageMs / medianMs / percentage per
//   layer) plus, for a layer that multiplies-accumulates, "macs" (ir/mac_count.h, the batch included) and
//   "tops" = 2·macs / median time in tera-ops per second;
//   summary: time, share and TOPS per op, then the network's MACs and its achieved TOPS.
// Host code only: the times come from the CUDA context (cuda_bench.cc), the counts from the bound graph.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::cli {

struct ProfiledLayer {
  std::string layer, op;  // the node's name (or a reorder step's description) and its op
  double median_ms = 0;
  int64_t macs = 0;       // 0: no multiply-accumulates (or no node of that name)
};

// 2·macs over `ms`, in tera-ops per second; 0 when there is no work or no time.
double tera_ops_per_second(int64_t macs, double ms);

// The MAC count of each profiled layer named after a node of `graph` once `batch` is bound into it.
StatusOr<std::vector<int64_t>> layer_macs(const Graph& graph, int64_t batch, const std::vector<std::string>& layers);

Status write_profile_json(const std::string& path, const std::vector<ProfiledLayer>& layers, int runs);

// The network's TOPS is stated twice: over the sum of the eager per-layer medians (the time the table splits
// up) and over `replay_ms`, the wall time per CUDA-graph replay at the measured throughput (what the network
// sustains, without the eager launches' gaps, whatever the stream count).
void print_profile_summary(std::FILE* out, const std::vector<ProfiledLayer>& layers, int64_t batch,
                           double replay_ms);

}  // namespace qatrt::cli
