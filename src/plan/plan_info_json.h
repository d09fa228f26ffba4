// The info section: a JSON object a person (or `python -m json.tool`) can read without qatrt. It carries
// PlanInfo plus a layer summary (node count, layers per precision and per op) that the reader ignores.
#pragma once

#include <span>
#include <string>

#include "core/status.h"
#include "plan/plan.h"

namespace qatrt {

std::string encode_plan_info(const PlanInfo& info, const Graph& graph);
// Errors are kCorrupt naming the missing or mistyped field.
StatusOr<PlanInfo> decode_plan_info(std::span<const uint8_t> json_bytes);

}  // namespace qatrt
