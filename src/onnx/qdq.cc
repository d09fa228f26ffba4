// QuantizeLinear / DequantizeLinear. The scale and zero-point inputs must be constants; they become the
// node's attributes (src/ir/ops.h) and the node keeps one input:
//   scale: floats (1 value = per-tensor, else one per channel along axis), zero_point: ints (same length,
//   all zeros when absent), axis: non-negative (per-tensor nodes get QuantParams' default 1, since ONNX
//   ignores axis there and equal parameters should compare equal), QuantizeLinear: output_dtype.
// The same numbers go to Value::quant of the Q output and of an int8/uint8 initializer or graph input a DQ reads.
// DequantizeLinear also takes int32 with zero point 0 (the bias form of QDQ exporters such as onnxruntime's
// quantizer); int32 values carry no Value::quant.
#include <cmath>

#include "onnx/op_table.h"

namespace qatrt {
namespace {

struct QdqOperands {
  QuantParams params;
  DType quantized_type = DType::kUInt8;  // the zero point's type; ONNX's default uint8 when it is absent
};

StatusOr<QdqOperands> read_qdq_operands(OnnxNode& node, const Value& data) {
  QATRT_ASSIGN_OR_RETURN(Tensor scale, node.constant_input(1, "scale"));
  if (scale.dtype() != DType::kFloat32)
    return node.error(StatusCode::kUnsupported, "scale '", node.input(1).name, "' is ", dtype_name(scale.dtype()),
                      "; it must be float32");
  if (scale.shape().size() > 1 || scale.numel() == 0)
    return node.error(StatusCode::kInvalidArgument, "scale '", node.input(1).name, "' has shape ",
                      shape_to_string(scale.shape()), "; expected a scalar or a 1-D per-channel vector");
  QdqOperands result;
  result.params.scales = scale.to_float_vector();
  for (float s : result.params.scales)
    if (!std::isfinite(s) || s <= 0.0f)
      return node.error(StatusCode::kInvalidArgument, "scale '", node.input(1).name, "' holds ", s,
                        "; scales must be positive and finite");
  if (node.has_input(2)) {
    QATRT_ASSIGN_OR_RETURN(Tensor zero_point, node.constant_input(2, "zero_point"));
    if (!is_quantized_type(zero_point.dtype()) && zero_point.dtype() != DType::kInt32)
      return node.error(StatusCode::kUnsupported, "zero_point '", node.input(2).name, "' is ",
                        dtype_name(zero_point.dtype()), "; qatrt quantizes to int8 or uint8 only");
    if (zero_point.numel() != scale.numel())
      return node.error(StatusCode::kInvalidArgument, "zero_point '", node.input(2).name, "' has ",
                        zero_point.numel(), " values, scale has ", scale.numel());
    result.quantized_type = zero_point.dtype();
    result.params.zero_points = zero_point.to_int64_vector();
  } else {
    result.params.zero_points.assign(result.params.scales.size(), 0);
  }

  QATRT_ASSIGN_OR_RETURN(int64_t axis, node.attr_int("axis", 1));
  if (result.params.per_axis()) {
    const int64_t rank = static_cast<int64_t>(data.shape.size());
    QATRT_ASSIGN_OR_RETURN(axis, node.normalize_axis(axis, rank, "attribute 'axis'"));
    const int64_t channels = data.shape[static_cast<size_t>(axis)];
    if (channels != kDynamicDim && channels != static_cast<int64_t>(result.params.scales.size()))
      return node.error(StatusCode::kInvalidArgument, "scale has ", result.params.scales.size(),
                        " values but axis ", axis, " of '", data.name, "' ", shape_to_string(data.shape), " has ",
                        channels);
    result.params.axis = axis;
  }
  return result;
}

void store_attrs(Node& ir, const QuantParams& params) {
  ir.attrs["scale"] = params.scales;
  ir.attrs["zero_point"] = params.zero_points;
  ir.attrs["axis"] = params.axis;
}

// The ONNX inputs scale and zero_point are now attributes; the IR node reads x only.
void keep_only_data_input(Node& ir) { ir.inputs.resize(1); }

}  // namespace

Status import_quantize_linear(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 3));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "QuantizeLinear has one output"));
  const Value& x = node.input(0);
  if (x.dtype != DType::kFloat32)
    return node.error(StatusCode::kUnsupported, "input '", x.name, "' is ", dtype_name(x.dtype),
                      "; qatrt quantizes float32 only");
  QATRT_ASSIGN_OR_RETURN(QdqOperands operands, read_qdq_operands(node, x));
  if (!is_quantized_type(operands.quantized_type))
    return node.error(StatusCode::kUnsupported, "zero_point '", node.input(2).name, "' is ",
                      dtype_name(operands.quantized_type), "; qatrt quantizes to int8 or uint8 only");
  Node& ir = node.node();
  store_attrs(ir, operands.params);
  ir.attrs["output_dtype"] = static_cast<int64_t>(operands.quantized_type);
  keep_only_data_input(ir);
  Value& y = node.graph().value(ir.outputs[0]);
  y.dtype = operands.quantized_type;
  y.quant = operands.params;
  return {};
}

Status import_dequantize_linear(OnnxNode& node) {
  QATRT_RETURN_IF_ERROR(node.expect_input_count(2, 3));
  QATRT_RETURN_IF_ERROR(node.expect_output_count(1, "DequantizeLinear has one output"));
  const Value& x = node.input(0);
  if (!is_quantized_type(x.dtype) && x.dtype != DType::kInt32)
    return node.error(StatusCode::kUnsupported, "input '", x.name, "' is ", dtype_name(x.dtype),
                      "; qatrt dequantizes int8, uint8 and int32 (zero point 0) only");
  QATRT_ASSIGN_OR_RETURN(QdqOperands operands, read_qdq_operands(node, x));
  if (node.has_input(2) && operands.quantized_type != x.dtype)
    return node.error(StatusCode::kInvalidArgument, "zero_point is ", dtype_name(operands.quantized_type),
                      " but input '", x.name, "' is ", dtype_name(x.dtype));
  if (x.dtype == DType::kInt32 && !operands.params.symmetric())
    return node.error(StatusCode::kInvalidArgument, "int32 input '", x.name, "' has zero point ",
                      ints_to_string(operands.params.zero_points), "; ONNX requires 0 for int32");
  Node& ir = node.node();
  store_attrs(ir, operands.params);
  // An integer initializer or graph input has no producer to give it quant params: this DQ says what it means.
  Graph& graph = node.graph();
  Value& data = graph.value(ir.inputs[0]);
  if (is_quantized_type(data.dtype) && !data.quant && graph.producer(ir.inputs[0]) < 0) data.quant = operands.params;
  keep_only_data_input(ir);
  return {};
}

}  // namespace qatrt
