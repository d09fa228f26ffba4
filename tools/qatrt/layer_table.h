// The layer listing of `build --dumpLayerInfo` and `inspect`: one row per node with its op, final precision,
// output, the reason for its precision and the source nodes fused into it; then a summary by precision.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "runtime/engine.h"

namespace qatrt::cli {

void print_layer_table(std::FILE* out, const Graph& graph);
// "71 layers: 2 fp32, 55 int8, 14 none; 53 fused from 212 source nodes"
std::string layer_summary(const Graph& graph);
// Nodes an engine runs on another backend than the one asked for, with the reason (never silent).
void print_fallbacks(std::FILE* out, const std::vector<NodeAssignment>& assignments, const std::string& backend);

}  // namespace qatrt::cli
