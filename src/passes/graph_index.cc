#include "passes/graph_index.h"

#include <queue>

namespace qatrt {

GraphIndex::GraphIndex(const Graph& graph)
    : graph_(graph),
      producer_(graph.values.size(), -1),
      readers_(graph.values.size()),
      output_uses_(graph.values.size(), 0) {
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    for (ValueId in : node.inputs)
      if (in != kNoValue) readers_[static_cast<size_t>(in)].push_back(static_cast<int>(i));
    for (ValueId out : node.outputs)
      if (out != kNoValue) producer_[static_cast<size_t>(out)] = static_cast<int>(i);
  }
  for (ValueId out : graph.outputs) ++output_uses_[static_cast<size_t>(out)];
}

// Values added after the index was built have no producer or readers in it.
bool GraphIndex::indexed(ValueId id) const { return id >= 0 && static_cast<size_t>(id) < producer_.size(); }

int GraphIndex::producer(ValueId id) const { return indexed(id) ? producer_[static_cast<size_t>(id)] : -1; }

const Node* GraphIndex::producer_if(ValueId id, Op op) const {
  int p = producer(id);
  if (p < 0 || graph_.nodes[static_cast<size_t>(p)].op != op) return nullptr;
  return &graph_.nodes[static_cast<size_t>(p)];
}

const std::vector<int>& GraphIndex::readers(ValueId id) const {
  static const std::vector<int> kNone;
  return indexed(id) ? readers_[static_cast<size_t>(id)] : kNone;
}

int GraphIndex::use_count(ValueId id) const {
  if (!indexed(id)) return 0;
  return static_cast<int>(readers_[static_cast<size_t>(id)].size()) + output_uses_[static_cast<size_t>(id)];
}

bool GraphIndex::used_only_by(ValueId id, int reader) const {
  return use_count(id) == 1 && readers(id).front() == reader;
}

int GraphIndex::sole_reader(ValueId id) const {
  if (use_count(id) != 1 || readers(id).empty()) return -1;
  return readers(id).front();
}

bool replace_value(Graph& graph, ValueId from, ValueId to) {
  if (!graph.is_graph_output(from)) {
    graph.replace_uses(from, to);
    return true;
  }
  int producer = graph.producer(to);
  if (producer < 0 || graph.is_graph_output(to)) return false;
  graph.replace_uses(to, from);  // readers of `to` read `from`; then `from` stops being produced elsewhere
  int old_producer = graph.producer(from);
  if (old_producer >= 0 && old_producer != producer) {
    // The node that produced `from` now writes nothing anyone reads: give it `to`, a dead value.
    for (ValueId& out : graph.nodes[static_cast<size_t>(old_producer)].outputs)
      if (out == from) out = to;
  }
  for (ValueId& out : graph.nodes[static_cast<size_t>(producer)].outputs)
    if (out == to) out = from;
  Value& value = graph.value(from);
  value.dtype = graph.value(to).dtype;
  value.shape = graph.value(to).shape;
  value.quant = graph.value(to).quant;
  return true;
}

Status sort_topologically(Graph& graph) {
  GraphIndex index(graph);
  const size_t n = graph.nodes.size();
  std::vector<int> pending(n, 0);  // inputs produced by a node not yet placed
  for (size_t i = 0; i < n; ++i)
    for (ValueId in : graph.nodes[i].inputs)
      if (index.producer(in) >= 0) ++pending[i];
  // Min-heap on the original position keeps the order stable.
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i)
    if (pending[i] == 0) ready.push(i);
  std::vector<Node> sorted;
  sorted.reserve(n);
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    for (ValueId out : graph.nodes[i].outputs)
      for (int reader : index.readers(out))
        if (--pending[static_cast<size_t>(reader)] == 0) ready.push(static_cast<size_t>(reader));
    sorted.push_back(std::move(graph.nodes[i]));
  }
  if (sorted.size() != n) {
    for (size_t i = 0; i < n; ++i)
      if (pending[i] > 0)
        return make_error(StatusCode::kInternal, graph.nodes[i].describe(),
                          " is part of a cycle after a rewrite; this is a bug in a pass");
  }
  graph.nodes = std::move(sorted);
  return {};
}

}  // namespace qatrt
