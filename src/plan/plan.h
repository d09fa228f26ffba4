// A plan: the optimized graph (with packed int8 weights, scales and per-layer precision decisions) and the
// target it was built for. The byte format is documented in docs/plan-format.md and in plan_format.h.
#pragma once

#include <string>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

struct PlanInfo {
  std::string target;           // e.g. "cpu-x86_64"; a plan refuses to load on another target
  std::string precision_mode;   // "int8", "fp32", "best" or "fakequant" (the build flag)
  std::string source_model;     // file name of the model it was built from
  std::string builder_version;  // qatrt version that wrote it
  std::string creation_time;    // UTC, ISO 8601; write_plan stamps the current time when empty
  std::string target_features;  // ISA features of the building CPU, e.g. "+avx2+avx512vnni" (info only,
                                // never a reason to refuse a plan); write_plan fills it when empty
};

struct Plan {
  PlanInfo info;
  Graph graph;
};

// The target string of this machine's CPU backend.
std::string host_cpu_target();

Status write_plan(const Plan& plan, const std::string& path);
// Reads and fully validates (magic, version, checksum, sections, graph verifier). expected_target: the
// target the caller will run on; a mismatch is an error naming both. Empty = accept any.
StatusOr<Plan> read_plan(const std::string& path, const std::string& expected_target);

}  // namespace qatrt
