// The in-memory halves of write_plan / read_plan: the file functions wrap these. Tests use them to corrupt
// a plan byte by byte without touching the disk.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"
#include "plan/plan.h"

namespace qatrt {

// Refuses a plan whose graph fails verify_graph: a plan that was written must be readable.
StatusOr<std::vector<uint8_t>> serialize_plan(const Plan& plan);

// The container alone (header, section table, checksums, padding) around already-encoded sections, in order.
// serialize_plan uses it; tests use it to wrap deliberately malformed sections in valid checksums.
struct PlanSection {
  uint32_t id;
  std::span<const uint8_t> bytes;
};
std::vector<uint8_t> assemble_plan(std::span<const PlanSection> sections);

// `origin` (a path) prefixes every error. Checks, in order: size, magic, version, recorded file size, header
// and section table, each section's CRC, the whole-file CRC, info JSON, target, graph decoding, verify_graph.
StatusOr<Plan> parse_plan(std::span<const uint8_t> bytes, const std::string& origin,
                          const std::string& expected_target);

}  // namespace qatrt
