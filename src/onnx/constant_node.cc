// ONNX Constant nodes: folded into constant Values (exporters such as torch.onnx emit Q/DQ scales and
// Reshape shapes this way; qatrt needs those as constants anyway).
#include "onnx/tensor_proto.h"

namespace qatrt {

StatusOr<Tensor> constant_node_tensor(const onnx::NodeProto& proto, const std::string& node) {
  if (proto.attribute_size() != 1)
    return make_error(StatusCode::kInvalidArgument, node, ": needs exactly one value attribute, has ",
                      proto.attribute_size());
  const onnx::AttributeProto& attr = proto.attribute(0);
  const std::string& name = attr.name();
  if (name == "value") {
    auto tensor = tensor_from_onnx(attr.t());
    if (!tensor.ok()) return tensor.status().with_context(node);
    return tensor;
  }
  if (name == "value_float") return Tensor::scalar(attr.f());
  if (name == "value_int") return Tensor::from_vector<int64_t>({}, {attr.i()});
  if (name == "value_floats")
    return Tensor::from_vector<float>({attr.floats_size()}, {attr.floats().begin(), attr.floats().end()});
  if (name == "value_ints")
    return Tensor::from_vector<int64_t>({attr.ints_size()}, {attr.ints().begin(), attr.ints().end()});
  return make_error(StatusCode::kUnsupported, node, ": attribute '", name,
                    "' is not supported (value, value_float(s) and value_int(s) are)");
}

}  // namespace qatrt
