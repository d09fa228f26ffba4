// Conv2D, ZeroPadding2D and the pooling layers. Inputs are NCHW IR values ([N,C,H,W]); Keras' padding
// modes become explicit ONNX pads [top, left, bottom, right].
#include <algorithm>

#include "keras/layer_table.h"
#include "keras/weight_layout.h"

namespace qatrt {
namespace {

// Keras/TF padding → ONNX pads. 'valid' pads nothing. 'same' (TF's SAME) makes out = ceil(in / stride) and
// pads total = max((out − 1)·stride + (k − 1)·dilation + 1 − in, 0), the odd element at the END (bottom /
// right) — unlike PyTorch, which is why it cannot stay symbolic as ONNX's SAME_LOWER.
StatusOr<std::vector<int64_t>> explicit_pads(const LayerContext& layer, const std::string& padding,
                                             const std::vector<int64_t>& kernel, const std::vector<int64_t>& strides,
                                             const std::vector<int64_t>& dilations) {
  if (padding == "valid") return std::vector<int64_t>{0, 0, 0, 0};
  if (padding != "same")
    return layer.error(StatusCode::kUnsupported, "padding '", padding, "' is not supported; use 'valid' or 'same'");
  const Shape& x = layer.input_shape(0);
  std::vector<int64_t> pads(4, 0);
  for (size_t i = 0; i < 2; ++i) {
    int64_t in = x[2 + i];
    if (in < 0)
      return layer.error(StatusCode::kUnsupported, "padding 'same' needs a known input size, got IR shape ",
                         shape_to_string(x), "; give the InputLayer a fixed batch_input_shape");
    int64_t out = (in + strides[i] - 1) / strides[i];
    int64_t total = std::max<int64_t>((out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - in, 0);
    pads[i] = total / 2;
    pads[2 + i] = total - total / 2;
  }
  return pads;
}

struct PoolConfig {
  std::vector<int64_t> kernel, strides, pads;
};

StatusOr<PoolConfig> read_pool(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_channels_last());
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_RETURN_IF_ERROR(layer.expect_input_rank(0, {4}));
  PoolConfig pool;
  QATRT_ASSIGN_OR_RETURN(pool.kernel, layer.config_tuple("pool_size", 2, {2, 2}));
  QATRT_ASSIGN_OR_RETURN(pool.strides, layer.config_tuple("strides", 2, pool.kernel));  // Keras: null → pool_size
  QATRT_ASSIGN_OR_RETURN(std::string padding, layer.config_string("padding", "valid"));
  QATRT_ASSIGN_OR_RETURN(pool.pads, explicit_pads(layer, padding, pool.kernel, pool.strides, {1, 1}));
  return pool;
}

// ZeroPadding2D "padding": p, [ph, pw] or [[top, bottom], [left, right]].
StatusOr<std::vector<int64_t>> zero_padding(const LayerContext& layer) {
  const nlohmann::json* value = layer.config_value("padding");
  auto bad = [&] {
    return layer.error(StatusCode::kCorrupt, "config 'padding' = ", value ? value->dump() : "absent",
                       " is not p, [ph, pw] or [[top, bottom], [left, right]] of non-negative integers");
  };
  if (!value) return bad();
  auto non_negative = [](const nlohmann::json& v) { return v.is_number_integer() && v.get<int64_t>() >= 0; };
  int64_t top, bottom, left, right;
  if (non_negative(*value)) {
    top = bottom = left = right = value->get<int64_t>();
  } else if (value->is_array() && value->size() == 2 && non_negative((*value)[0]) && non_negative((*value)[1])) {
    top = bottom = (*value)[0].get<int64_t>();
    left = right = (*value)[1].get<int64_t>();
  } else if (value->is_array() && value->size() == 2 && (*value)[0].is_array() && (*value)[1].is_array() &&
             (*value)[0].size() == 2 && (*value)[1].size() == 2 &&
             std::all_of((*value)[0].begin(), (*value)[0].end(), non_negative) &&
             std::all_of((*value)[1].begin(), (*value)[1].end(), non_negative)) {
    top = (*value)[0][0].get<int64_t>();
    bottom = (*value)[0][1].get<int64_t>();
    left = (*value)[1][0].get<int64_t>();
    right = (*value)[1][1].get<int64_t>();
  } else {
    return bad();
  }
  // ONNX Pad order: begins of N, C, H, W, then their ends.
  return std::vector<int64_t>{0, 0, top, left, 0, 0, bottom, right};
}

}  // namespace

Status convert_conv2d(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_channels_last());
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_RETURN_IF_ERROR(layer.expect_input_rank(0, {4}));
  QATRT_ASSIGN_OR_RETURN(int64_t filters, layer.config_int("filters"));
  QATRT_ASSIGN_OR_RETURN(auto kernel, layer.config_tuple("kernel_size", 2));
  QATRT_ASSIGN_OR_RETURN(auto strides, layer.config_tuple("strides", 2, {1, 1}));
  QATRT_ASSIGN_OR_RETURN(auto dilations, layer.config_tuple("dilation_rate", 2, {1, 1}));
  QATRT_ASSIGN_OR_RETURN(auto groups, layer.config_tuple("groups", 1, {1}));
  QATRT_ASSIGN_OR_RETURN(std::string padding, layer.config_string("padding", "valid"));
  QATRT_ASSIGN_OR_RETURN(bool use_bias, layer.config_bool("use_bias", true));
  QATRT_ASSIGN_OR_RETURN(std::string activation, layer.config_string("activation", "linear"));
  int64_t channels = layer.input_shape(0)[1];
  if (channels % groups[0] != 0 || filters % groups[0] != 0)
    return layer.error(StatusCode::kCorrupt, "groups = ", groups[0], " does not divide input channels ", channels,
                       " and filters ", filters);
  QATRT_ASSIGN_OR_RETURN(auto pads, explicit_pads(layer, padding, kernel, strides, dilations));
  QATRT_ASSIGN_OR_RETURN(Tensor hwio, layer.weight("kernel", {kernel[0], kernel[1], channels / groups[0], filters}));
  std::vector<ValueId> inputs = {layer.input(0), layer.add_constant("kernel", hwio_to_oihw(hwio))};
  if (use_bias) {
    QATRT_ASSIGN_OR_RETURN(Tensor bias, layer.weight("bias", {filters}));
    inputs.push_back(layer.add_constant("bias", bias));
  }
  QATRT_ASSIGN_OR_RETURN(ValueId conv, layer.add_node(Op::kConv, inputs,
                                                      {{"strides", strides},
                                                       {"pads", pads},
                                                       {"dilations", dilations},
                                                       {"group", groups[0]}}));
  QATRT_ASSIGN_OR_RETURN(ValueId out, apply_activation(layer, conv, activation));
  layer.set_output(out);
  return {};
}

Status convert_zero_padding2d(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_channels_last());
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_RETURN_IF_ERROR(layer.expect_input_rank(0, {4}));
  QATRT_ASSIGN_OR_RETURN(auto pads, zero_padding(layer));
  ValueId pads_value = layer.add_constant("pads", Tensor::from_vector<int64_t>({8}, pads));
  QATRT_ASSIGN_OR_RETURN(ValueId out, layer.add_node(Op::kPad, {layer.input(0), pads_value},
                                                     {{"mode", std::string("constant")}}));
  layer.set_output(out);
  return {};
}

Status convert_max_pooling2d(LayerContext& layer) {
  QATRT_ASSIGN_OR_RETURN(PoolConfig pool, read_pool(layer));
  // TF's max pool ignores padded positions, exactly like ONNX MaxPool's pads.
  QATRT_ASSIGN_OR_RETURN(ValueId out, layer.add_node(Op::kMaxPool, {layer.input(0)},
                                                     {{"kernel_shape", pool.kernel},
                                                      {"strides", pool.strides},
                                                      {"pads", pool.pads}}));
  layer.set_output(out);
  return {};
}

Status convert_average_pooling2d(LayerContext& layer) {
  QATRT_ASSIGN_OR_RETURN(PoolConfig pool, read_pool(layer));
  // TF averages over the real elements of a 'same'-padded window only: count_include_pad = 0.
  QATRT_ASSIGN_OR_RETURN(ValueId out, layer.add_node(Op::kAveragePool, {layer.input(0)},
                                                     {{"kernel_shape", pool.kernel},
                                                      {"strides", pool.strides},
                                                      {"pads", pool.pads},
                                                      {"count_include_pad", int64_t{0}}}));
  layer.set_output(out);
  return {};
}

Status convert_global_average_pooling2d(LayerContext& layer) {
  QATRT_RETURN_IF_ERROR(layer.expect_channels_last());
  QATRT_RETURN_IF_ERROR(layer.expect_input_count(1));
  QATRT_RETURN_IF_ERROR(layer.expect_input_rank(0, {4}));
  QATRT_ASSIGN_OR_RETURN(bool keepdims, layer.config_bool("keepdims", false));
  QATRT_ASSIGN_OR_RETURN(ValueId pooled, layer.add_node(Op::kGlobalAveragePool, {layer.input(0)}));
  if (keepdims) {  // [N,C,1,1] in the IR is Keras' [N,1,1,C]
    layer.set_output(pooled);
    return {};
  }
  QATRT_ASSIGN_OR_RETURN(ValueId flat, layer.add_node(Op::kFlatten, {pooled}, {{"axis", int64_t{1}}}));
  layer.set_output(flat);
  return {};
}

}  // namespace qatrt
