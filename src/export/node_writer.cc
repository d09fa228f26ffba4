#include "export/node_writer.h"

#include <algorithm>
#include <vector>

#include "export/proto_writer.h"

namespace qatrt {
namespace {

// Attributes ONNX opset 13 defines for each op the IR holds in ONNX form (Q/DQ, Squeeze/Unsqueeze and
// Reshape are handled separately).
std::vector<std::string_view> onnx_attributes(Op op) {
  switch (op) {
    case Op::kConv: return {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"};
    case Op::kGemm: return {"alpha", "beta", "transA", "transB"};
    case Op::kMaxPool:
      return {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"};
    case Op::kAveragePool:
      return {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"};
    case Op::kFlatten: return {"axis"};
    case Op::kTranspose: return {"perm"};
    case Op::kPad: return {"mode"};
    case Op::kConcat: return {"axis"};
    case Op::kBatchNormalization: return {"epsilon", "momentum"};
    case Op::kSoftmax: return {"axis"};
    default: return {};
  }
}

Status unknown_attribute(const Node& node, const std::string& name) {
  return make_error(StatusCode::kUnsupported, node.describe(), ": attribute '", name,
                    "' has no ONNX opset-13 form; export the graph as imported or trained, before passes that add "
                    "qatrt-specific attributes");
}

}  // namespace

NodeWriter::NodeWriter(const Graph& graph, onnx::GraphProto& proto) : graph_(graph), proto_(proto) {
  for (const Value& v : graph.values) used_names_.insert(v.name);
}

std::string NodeWriter::add_initializer(const std::string& base, const Tensor& tensor) {
  std::string name = base;
  for (int k = 1; used_names_.count(name); ++k) name = base + "_" + std::to_string(k);
  used_names_.insert(name);
  write_tensor(tensor, name, *proto_.add_initializer());
  return name;
}

Status NodeWriter::write_qdq_operands(const Node& node, onnx::NodeProto& proto) {
  std::vector<float> scales = node.attr_floats("scale");
  std::vector<int64_t> zero_points = node.attr_ints("zero_point");
  if (scales.empty() || scales.size() != zero_points.size())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": scale / zero_point attributes are missing");
  DType type = node.op == Op::kQuantizeLinear
                   ? static_cast<DType>(node.attr_int("output_dtype", static_cast<int64_t>(DType::kUInt8)))
                   : graph_.value(node.inputs[0]).dtype;
  if (!is_quantized_type(type))
    return make_error(StatusCode::kUnsupported, node.describe(), ": quantized type ", dtype_name(type),
                      " is not int8 or uint8");
  bool per_axis = scales.size() > 1;
  Shape shape = per_axis ? Shape{static_cast<int64_t>(scales.size())} : Shape{};
  Tensor zero_point(type, shape);
  for (size_t i = 0; i < zero_points.size(); ++i) {
    if (zero_points[i] < quant_min(type) || zero_points[i] > quant_max(type))
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": zero point ", zero_points[i],
                        " is out of range for ", dtype_name(type));
    if (type == DType::kInt8)
      zero_point.data<int8_t>()[i] = static_cast<int8_t>(zero_points[i]);
    else
      zero_point.data<uint8_t>()[i] = static_cast<uint8_t>(zero_points[i]);
  }
  std::string base = node.name.empty() ? graph_.value(node.outputs[0]).name : node.name;
  proto.add_input(add_initializer(base + "_scale", Tensor::from_vector<float>(shape, scales)));
  proto.add_input(add_initializer(base + "_zero_point", zero_point));
  if (per_axis) write_attribute("axis", node.attr_int("axis", 1), *proto.add_attribute());
  return {};
}

Status NodeWriter::write(const Node& node) {
  onnx::NodeProto& proto = *proto_.add_node();
  proto.set_name(node.name);
  proto.set_op_type(std::string(op_name(node.op)));
  // Absent optional inputs are "", and trailing ones are left out.
  size_t present = node.inputs.size();
  while (present > 0 && node.inputs[present - 1] == kNoValue) --present;
  for (size_t i = 0; i < present; ++i)
    proto.add_input(node.inputs[i] == kNoValue ? std::string() : graph_.value(node.inputs[i]).name);
  for (ValueId id : node.outputs) proto.add_output(graph_.value(id).name);

  switch (node.op) {
    case Op::kQuantizeLinear:
    case Op::kDequantizeLinear:
      for (const auto& [name, value] : node.attrs)
        if (name != "scale" && name != "zero_point" && name != "axis" && name != "output_dtype")
          return unknown_attribute(node, name);
      return write_qdq_operands(node, proto);
    case Op::kSqueeze:
    case Op::kUnsqueeze:
      for (const auto& [name, value] : node.attrs) {
        if (name != "axes") return unknown_attribute(node, name);
        if (present > 1)
          return make_error(StatusCode::kInvalidArgument, node.describe(), ": axes given both as input and attribute");
        std::vector<int64_t> axes = node.attr_ints("axes");
        Shape shape = {static_cast<int64_t>(axes.size())};
        proto.add_input(add_initializer(node.name + "_axes", Tensor::from_vector<int64_t>(shape, axes)));
      }
      return {};
    case Op::kReshape:
      for (const auto& [name, value] : node.attrs) {
        if (name != "allowzero") return unknown_attribute(node, name);
        if (node.attr_int("allowzero", 0) != 0)
          return make_error(StatusCode::kUnsupported, node.describe(),
                            ": allowzero = 1 needs opset 14; qatrt exports opset 13 — use an explicit shape");
      }
      return {};
    default: {
      std::vector<std::string_view> allowed = onnx_attributes(node.op);
      for (const auto& [name, value] : node.attrs) {
        if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) return unknown_attribute(node, name);
        write_attribute(name, value, *proto.add_attribute());
      }
      return {};
    }
  }
}

}  // namespace qatrt
