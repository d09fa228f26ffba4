// The epilogue a conv/gemm fusion absorbs after its compute node:
//
//   y ──► Add(y, residual)? ──► Relu? ──► Q?          (Q only for the quantized fusions)
//
// Matched greedily, stopping at the first value another node also reads (or that is a graph output):
// "fuse less" rather than duplicate work. The residual must have the output's exact shape (no broadcast).
// For the quantized fusions a residual DQ(r) of an int8 activation (per-tensor, params = r's quant) is read
// as r itself; any other residual is read as the float value.
#pragma once

#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/graph_index.h"
#include "passes/pass.h"

namespace qatrt {

struct EpilogueMatch {
  std::vector<int> nodes;           // absorbed Add / Relu / Q, in order (not the residual's DQ: others may read it)
  std::vector<std::string> names;   // names for Node::fused_from, including a residual DQ
  std::string chain;                // "→Add→Relu→Q" for the precision reason
  ValueId residual = kNoValue;      // operand 3 of the fused op
  bool relu = false;
  bool quantized_output = false;    // a Q was absorbed: output is int8/uint8 with the Q's params
  ValueId output = kNoValue;        // the value the fused op writes (the last absorbed node's output)
  std::string stop;                 // why the chain stopped early, e.g. "output read by 2 nodes"; "" otherwise
};

EpilogueMatch match_epilogue(const Graph& graph, const GraphIndex& index, int compute, bool quantized);

// Completes `fused` (operands x, w, bias already set) with the epilogue: the residual operand, the relu
// attribute, the output (int8/uint8 with the absorbed Q's params, if any) and fused_from; it replaces the
// compute node at `compute` and the absorbed nodes are erased. Logs one line under `pass`.
void install_fused_node(Graph& graph, int compute, Node fused, const EpilogueMatch& epilogue, const std::string& pass,
                        PassContext& context);

// Applies `fuse` (true = rewrote node i) until it no longer applies anywhere, then restores topological order.
using FuseFunction = bool (*)(Graph& graph, const GraphIndex& index, int node, PassContext& context);
Status fuse_until_fixed_point(Graph& graph, PassContext& context, FuseFunction fuse);

}  // namespace qatrt
