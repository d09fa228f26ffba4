// Readable dump of a graph, one node a line:
//   %conv1_out:int8[N,64,112,112]{s=0.0213} = qatrt.QConv(%x_q, %w:int8[64,3,7,7]{s=per-channel(64)}, %b) relu=1  # int8: fused ...
#pragma once

#include <string>

#include "ir/graph.h"

namespace qatrt {

std::string print_graph(const Graph& graph);
std::string print_value(const Graph& graph, ValueId id);

}  // namespace qatrt
