#include "onnx/node_context.h"

namespace qatrt {

std::string ints_to_string(const std::vector<int64_t>& values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) text += ',';
    text += std::to_string(values[i]);
  }
  return text + "]";
}

const onnx::AttributeProto* OnnxNode::find(const std::string& name) const {
  for (const auto& attr : proto_.attribute())
    if (attr.name() == name) return &attr;
  return nullptr;
}

bool OnnxNode::has_attr(const std::string& name) const { return find(name) != nullptr; }

Status OnnxNode::wrong_type(const onnx::AttributeProto& attr, const char* expected) const {
  return error(StatusCode::kInvalidArgument, "attribute '", attr.name(), "' has type ",
               onnx::AttributeProto_AttributeType_Name(attr.type()), ", expected ", expected,
               "; check the exporter");
}

StatusOr<int64_t> OnnxNode::attr_int(const std::string& name, int64_t fallback) {
  read_.insert(name);
  const auto* attr = find(name);
  if (!attr) return fallback;
  if (attr->type() != onnx::AttributeProto::INT) return wrong_type(*attr, "INT");
  return static_cast<int64_t>(attr->i());
}

StatusOr<float> OnnxNode::attr_float(const std::string& name, float fallback) {
  read_.insert(name);
  const auto* attr = find(name);
  if (!attr) return fallback;
  if (attr->type() != onnx::AttributeProto::FLOAT) return wrong_type(*attr, "FLOAT");
  return attr->f();
}

StatusOr<std::string> OnnxNode::attr_string(const std::string& name, const std::string& fallback) {
  read_.insert(name);
  const auto* attr = find(name);
  if (!attr) return fallback;
  if (attr->type() != onnx::AttributeProto::STRING) return wrong_type(*attr, "STRING");
  return attr->s();
}

StatusOr<std::vector<int64_t>> OnnxNode::attr_ints(const std::string& name, std::vector<int64_t> fallback) {
  read_.insert(name);
  const auto* attr = find(name);
  if (!attr) return fallback;
  if (attr->type() != onnx::AttributeProto::INTS) return wrong_type(*attr, "INTS");
  return std::vector<int64_t>(attr->ints().begin(), attr->ints().end());
}

Status OnnxNode::attr_must_equal(const std::string& name, int64_t required, const std::string& remedy) {
  QATRT_ASSIGN_OR_RETURN(int64_t value, attr_int(name, required));
  if (value != required)
    return error(StatusCode::kUnsupported, "attribute '", name, "' = ", value, " is not supported (only ", required,
                 "); ", remedy);
  return {};
}

Status OnnxNode::check_all_attributes_read() const {
  for (const auto& attr : proto_.attribute())
    if (!read_.count(attr.name()))
      return error(StatusCode::kUnsupported, "attribute '", attr.name(),
                   "' is not supported by qatrt's opset-13 importer; re-export without it");
  return {};
}

Status OnnxNode::expect_input_count(size_t min, size_t max) const {
  // Trailing absent inputs ("") do not count.
  size_t count = node_.inputs.size();
  while (count > 0 && node_.inputs[count - 1] == kNoValue) --count;
  if (count < min || count > max)
    return error(StatusCode::kInvalidArgument, "has ", count, " inputs, expected ",
                 min == max ? std::to_string(min) : std::to_string(min) + " to " + std::to_string(max));
  for (size_t i = 0; i < min; ++i)
    if (node_.inputs[i] == kNoValue) return error(StatusCode::kInvalidArgument, "required input ", i, " is empty");
  return {};
}

Status OnnxNode::expect_output_count(size_t count, const std::string& remedy) const {
  size_t used = 0;
  for (const auto& name : proto_.output())
    if (!name.empty()) ++used;
  if (used > count || proto_.output_size() == 0 || proto_.output(0).empty())
    return error(StatusCode::kUnsupported, "has ", used, " outputs, qatrt supports ", count, "; ", remedy);
  return {};
}

StatusOr<Tensor> OnnxNode::constant_input(size_t i, const std::string& role) const {
  if (!has_input(i)) return error(StatusCode::kInvalidArgument, "input ", i, " (", role, ") is missing");
  const Value& value = input(i);
  if (!value.constant)
    return error(StatusCode::kUnsupported, "input ", i, " (", role, ") '", value.name,
                 "' must be a constant initializer; constant-fold the model first (onnxsim, or "
                 "onnxruntime's ORT_ENABLE_BASIC optimisation with optimized_model_filepath)");
  return *value.constant;
}

void OnnxNode::replace_input_with_constant(size_t i, const std::string& role, Tensor tensor) {
  node_.inputs[i] = graph_.add_constant(graph_.unique_name(node_.name + "_" + role), std::move(tensor));
}

StatusOr<int64_t> OnnxNode::normalize_axis(int64_t axis, int64_t rank, const std::string& what) const {
  if (axis < -rank || axis >= rank)
    return error(StatusCode::kInvalidArgument, what, " = ", axis, " is out of range for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

StatusOr<std::vector<int64_t>> OnnxNode::normalize_axes(std::vector<int64_t> axes, int64_t rank,
                                                        const std::string& what) const {
  for (auto& axis : axes) {
    QATRT_ASSIGN_OR_RETURN(axis, normalize_axis(axis, rank, what));
  }
  return axes;
}

}  // namespace qatrt
