#include "keras/fold_zero_padding.h"

#include <algorithm>
#include <optional>
#include <vector>

namespace qatrt {
namespace {

// The spatial pads [top, left, bottom, right] of a zero-valued constant Pad over the H, W of an NCHW tensor.
std::optional<std::vector<int64_t>> spatial_zero_pads(const Graph& graph, const Node& pad) {
  if (pad.attr_string("mode", "constant") != "constant" || pad.inputs.size() < 2 || !graph.is_constant(pad.inputs[1]))
    return std::nullopt;
  if (pad.inputs.size() > 2 && pad.inputs[2] != kNoValue) {
    if (!graph.is_constant(pad.inputs[2]) || graph.value(pad.inputs[2]).constant->as_double(0) != 0.0)
      return std::nullopt;
  }
  std::vector<int64_t> pads = graph.value(pad.inputs[1]).constant->to_int64_vector();
  if (pads.size() != 8 || pads[0] != 0 || pads[1] != 0 || pads[4] != 0 || pads[5] != 0) return std::nullopt;
  if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p < 0; })) return std::nullopt;
  return std::vector<int64_t>{pads[2], pads[3], pads[6], pads[7]};
}

bool max_pool_accepts(const Graph& graph, const Node& pad, const Node& pool, const std::vector<int64_t>& combined) {
  int producer = graph.producer(pad.inputs[0]);
  if (producer < 0 || graph.nodes[producer].op != Op::kRelu) return false;
  if (pool.attr_int("ceil_mode", 0) != 0) return false;
  auto dilations = pool.attr_ints("dilations", {1, 1});
  if (std::any_of(dilations.begin(), dilations.end(), [](int64_t d) { return d != 1; })) return false;
  auto kernel = pool.attr_ints("kernel_shape");
  if (kernel.size() != 2) return false;
  for (size_t i = 0; i < 4; ++i)
    if (combined[i] >= kernel[i % 2]) return false;
  return true;
}

}  // namespace

int fold_zero_padding(Graph& graph) {
  std::vector<int> folded;
  for (int i = 0; i < static_cast<int>(graph.nodes.size()); ++i) {
    const Node& pad = graph.nodes[i];
    if (pad.op != Op::kPad) continue;
    auto zero_pads = spatial_zero_pads(graph, pad);
    ValueId padded = pad.outputs[0];
    std::vector<int> readers = graph.consumers(padded);
    if (!zero_pads || graph.is_graph_output(padded) || readers.size() != 1) continue;
    Node& consumer = graph.nodes[readers[0]];
    if (consumer.op != Op::kConv && consumer.op != Op::kMaxPool) continue;
    if (consumer.inputs[0] != padded || consumer.attr_string("auto_pad", "NOTSET") != "NOTSET") continue;
    std::vector<int64_t> combined = consumer.attr_ints("pads", {0, 0, 0, 0});
    if (combined.size() != 4) continue;
    for (size_t k = 0; k < 4; ++k) combined[k] += (*zero_pads)[k];
    if (consumer.op == Op::kMaxPool && !max_pool_accepts(graph, pad, consumer, combined)) continue;
    consumer.inputs[0] = pad.inputs[0];
    consumer.attrs["pads"] = combined;
    consumer.fused_from.push_back(pad.name);
    folded.push_back(i);
  }
  graph.erase_nodes(folded);
  return static_cast<int>(folded.size());
}

}  // namespace qatrt
