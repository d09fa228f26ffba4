#include "backends/reference/float16_refusal.h"

namespace qatrt::reference {

Status refuse_float16(const Graph& graph, const Node& node, std::string_view backend) {
  if (node.op == Op::kCast) return {};
  for (const auto* ids : {&node.inputs, &node.outputs})
    for (ValueId id : *ids)
      if (id != kNoValue && graph.value(id).dtype == DType::kFloat16)
        return make_error(StatusCode::kUnsupported, node.describe(), ": value '", graph.value(id).name,
                          "' is float16 (a plan built with --fp16), which only the cuda backend runs (--backend "
                          "cuda); the ", backend, " backend has no float16 kernels — build the plan with --fp32 to "
                          "run it here");
  return {};
}

}  // namespace qatrt::reference
