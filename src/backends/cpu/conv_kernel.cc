// FusedConv and QConv on oneDNN's convolution: NHWC activations (its int8 kernels are fastest channels-last,
// and consecutive convolutions then never reorder), weights reordered once into the layout the primitive picks
// (format_tag::any), epilogue as described in fused_epilogue.h (exact_epilogue.h for exact rounding).
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dnnl_util.h"
#include "backends/cpu/exact_epilogue.h"
#include "backends/cpu/fused_epilogue.h"
#include "backends/cpu/fused_kernel.h"

namespace qatrt::cpu {
namespace {

using tag = dnnl::memory::format_tag;

struct ConvGeometry {
  int64_t group = 1;
  dnnl::memory::dims strides, dilations, pad_begin, pad_end;  // dilations in oneDNN's convention (d − 1)
};

ConvGeometry conv_geometry(const Node& node) {
  ConvGeometry g;
  g.group = node.attr_int("group", 1);
  auto strides = node.attr_ints("strides", {1, 1});
  auto dilations = node.attr_ints("dilations", {1, 1});
  auto pads = node.attr_ints("pads", {0, 0, 0, 0});
  g.strides = {strides[0], strides[1]};
  g.dilations = {dilations[0] - 1, dilations[1] - 1};
  g.pad_begin = {pads[0], pads[1]};
  g.pad_end = {pads[2], pads[3]};
  return g;
}

Status supports_conv(const Graph& graph, const Node& node) {
  FusedOperands ops = fused_operands(node);
  if (ops.x == kNoValue || ops.w == kNoValue || ops.y == kNoValue)
    return make_error(StatusCode::kUnsupported, node.describe(), ": expected inputs (x, w, [bias], [residual])");
  const Shape& x = graph.value(ops.x).shape;
  const Shape& w = graph.value(ops.w).shape;
  const Shape& y = graph.value(ops.y).shape;
  if (x.size() != 4 || w.size() != 4 || y.size() != 4)
    return make_error(StatusCode::kUnsupported, node.describe(), ": only 2-D convolution (4-D tensors) runs on the CPU "
                      "backend; got input ", shape_to_string(x), ", weight ", shape_to_string(w));
  if (!shape_is_static(x) || !shape_is_static(y))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": shapes must be concrete, got input ",
                      shape_to_string(x), " output ", shape_to_string(y), "; bind the batch size first");
  if (node.attr_string("auto_pad", "NOTSET") != "NOTSET")
    return make_error(StatusCode::kUnsupported, node.describe(), ": auto_pad must be resolved into pads by shape "
                      "inference first");
  if (node.attr_ints("strides", {1, 1}).size() != 2 || node.attr_ints("dilations", {1, 1}).size() != 2 ||
      node.attr_ints("pads", {0, 0, 0, 0}).size() != 4)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": strides/dilations need 2 values, pads 4");
  int64_t group = node.attr_int("group", 1);
  if (group < 1 || w[0] % group != 0 || w[1] * group != x[1])
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": group ", group, " does not fit input ",
                      shape_to_string(x), " and weight ", shape_to_string(w));
  return check_fused_operands(graph, node, w[0]);
}

StatusOr<std::unique_ptr<Kernel>> create_conv(const dnnl::engine& engine, const Graph& graph, const Node& node) {
  FusedOperands ops = fused_operands(node);
  const Value& x = graph.value(ops.x);
  const Value& w = graph.value(ops.w);
  const Value& y = graph.value(ops.y);
  const ConvGeometry geo = conv_geometry(node);
  const int64_t channels = w.shape[0];
  // An exact node's primitive computes int32 accumulators only; exact_epilogue.h finishes it in double.
  const bool exact = uses_exact_epilogue(node);
  EpiloguePlan plan = exact ? accumulator_plan(graph, node) : plan_epilogue(graph, node, channels);

  dnnl::memory::dims weight_dims = dnnl_dims(w.shape);
  tag user_weight_tag = tag::oihw;
  if (geo.group > 1) {
    weight_dims = {geo.group, w.shape[0] / geo.group, w.shape[1], w.shape[2], w.shape[3]};
    user_weight_tag = tag::goihw;
  }
  const auto weight_type = dnnl_type(w.dtype);
  dnnl::memory::desc src_md = buffer_desc(x.shape, x.dtype, Layout::kNhwc);
  dnnl::memory::desc dst_md = buffer_desc(y.shape, exact ? DType::kInt32 : y.dtype, Layout::kNhwc);
  dnnl::memory::desc weights_md(weight_dims, weight_type, tag::any);
  dnnl::memory::desc user_weights_md(weight_dims, weight_type, user_weight_tag);

  try {
    dnnl::primitive_attr attr =
        epilogue_attr(plan, residual_desc(graph, node, Layout::kNhwc), /*channel_mask=*/1 << 1);
    const auto prop = dnnl::prop_kind::forward_inference;
    const auto algo = dnnl::algorithm::convolution_direct;
    auto desc = plan.bias.empty()
                    ? dnnl::convolution_forward::desc(prop, algo, src_md, weights_md, dst_md, geo.strides,
                                                      geo.dilations, geo.pad_begin, geo.pad_end)
                    : dnnl::convolution_forward::desc(prop, algo, src_md, weights_md,
                                                      {{channels}, dnnl::memory::data_type::f32, tag::x}, dst_md,
                                                      geo.strides, geo.dilations, geo.pad_begin, geo.pad_end);
    dnnl::convolution_forward::primitive_desc pd(desc, attr, engine);
    QATRT_ASSIGN_OR_RETURN(std::unique_ptr<Kernel> kernel,
                           FusedKernel::create(engine, graph, node, pd, user_weights_md, plan, Layout::kNhwc));
    if (!exact) return kernel;
    return with_exact_epilogue(std::move(kernel), graph, node, channels, Layout::kNhwc);
  } catch (const dnnl::error& e) {
    return dnnl_failure(node.describe() + ": oneDNN has no convolution for input " + shape_to_string(x.shape) +
                            " weight " + shape_to_string(w.shape),
                        e);
  }
}

}  // namespace

const KernelFamily kConvFamily = {supports_conv, LayoutPolicy::kNhwc, create_conv};

}  // namespace qatrt::cpu
