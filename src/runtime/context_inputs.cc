#include "runtime/context_inputs.h"

#include <string>

#include "ir/shape_inference.h"

namespace qatrt {

StatusOr<Graph> bind_batch_size(const Graph& graph, int64_t batch) {
  if (batch < 1) return make_error(StatusCode::kInvalidArgument, "batch must be ≥ 1, got ", batch);
  Graph bound = graph;
  for (ValueId id : bound.inputs)
    for (int64_t& dim : bound.value(id).shape)
      if (dim == kDynamicDim) dim = batch;
  QATRT_RETURN_IF_ERROR(infer_shapes(bound).with_context("binding batch " + std::to_string(batch)));
  for (const Node& node : bound.nodes)
    for (const auto* ids : {&node.inputs, &node.outputs})
      for (ValueId id : *ids)
        if (id != kNoValue && !shape_is_static(bound.value(id).shape))
          return make_error(StatusCode::kUnsupported, node.describe(), ": value '", bound.value(id).name,
                            "' still has shape ", shape_to_string(bound.value(id).shape), " after binding batch ",
                            batch, "; only graph-input dims may be dynamic (the batch)");
  return bound;
}

Status validate_context_inputs(const Graph& bound, int64_t batch, const std::vector<Tensor>& inputs) {
  if (inputs.size() != bound.inputs.size()) {
    std::string names;
    for (ValueId id : bound.inputs) names += (names.empty() ? "'" : ", '") + bound.value(id).name + "'";
    return make_error(StatusCode::kInvalidArgument, "expected ", bound.inputs.size(), " inputs (", names, "), given ",
                      inputs.size());
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value& v = bound.value(bound.inputs[i]);
    if (inputs[i].dtype() != v.dtype)
      return make_error(StatusCode::kInvalidArgument, "input '", v.name, "': expected dtype ", dtype_name(v.dtype),
                        ", given ", dtype_name(inputs[i].dtype()));
    if (inputs[i].shape() != v.shape)
      return make_error(StatusCode::kInvalidArgument, "input '", v.name, "': expected shape ", shape_to_string(v.shape),
                        " (this context was created for batch ", batch, "), given ", shape_to_string(inputs[i].shape()),
                        "; create a context for the batch you run, or reshape the input");
    if (inputs[i].empty() && inputs[i].numel() > 0)
      return make_error(StatusCode::kInvalidArgument, "input '", v.name, "' has no storage");
  }
  return {};
}

}  // namespace qatrt
