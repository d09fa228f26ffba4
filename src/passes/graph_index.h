// GraphIndex: who produces and who reads each value, built once per rewrite sweep (Graph::producer and
// Graph::consumers scan the whole graph on every call). Any edit to the graph invalidates it: rebuild.
// Also sort_topologically, so rewrites may append nodes anywhere and restore the order once at the end.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace qatrt {

class GraphIndex {
 public:
  explicit GraphIndex(const Graph& graph);

  // Index of the node producing `id`, or -1 (graph input, constant, absent).
  int producer(ValueId id) const;
  // The producing node if it has op `op`, else nullptr.
  const Node* producer_if(ValueId id, Op op) const;
  // Node indices reading `id`, once per use: Add(x, x) lists the Add twice.
  const std::vector<int>& readers(ValueId id) const;
  // Number of reads by nodes plus one per appearance among the graph outputs.
  int use_count(ValueId id) const;
  // True when `id` is read exactly once, by node `reader`, and is not a graph output: a rewrite may absorb it.
  bool used_only_by(ValueId id, int reader) const;
  // The single node reading `id` once (not a graph output), or -1.
  int sole_reader(ValueId id) const;

 private:
  bool indexed(ValueId id) const;

  const Graph& graph_;
  std::vector<int> producer_;
  std::vector<std::vector<int>> readers_;
  std::vector<int> output_uses_;
};

// Every read of `from` (node inputs, graph outputs) now reads `to`. A graph output keeps its name: when
// `from` is one, the node producing `to` is made to write `from` instead (and `to`'s readers read `from`).
// Returns false, changing nothing, when that is impossible (`to` is a graph input, a constant or a graph
// output itself). The node that produced `from` is left writing an unread value: remove dead nodes after.
bool replace_value(Graph& graph, ValueId from, ValueId to);

// Stable topological sort: nodes keep their relative order unless a node reads a value produced later.
// Fails (naming a node) only if the graph has a cycle, which no pass may create.
Status sort_topologically(Graph& graph);

}  // namespace qatrt
