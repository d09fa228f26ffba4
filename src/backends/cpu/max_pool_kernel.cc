// MaxPool on oneDNN's pooling (f32, int8, uint8), NHWC. Max commutes with quantization, so a quantized MaxPool
// compares the integers directly and keeps the input's scale and zero point. ONNX's ceil_mode becomes extra
// right/bottom padding, which max pooling never selects.
#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dnnl_util.h"
#include "backends/cpu/src_dst_kernel.h"

namespace qatrt::cpu {
namespace {

struct PoolWindow {
  std::vector<int64_t> kernel, strides, dilations, pads;  // ONNX conventions; pads = {top, left, bottom, right}
};

PoolWindow pool_window(const Node& node) {
  return {node.attr_ints("kernel_shape"), node.attr_ints("strides", {1, 1}), node.attr_ints("dilations", {1, 1}),
          node.attr_ints("pads", {0, 0, 0, 0})};
}

Status supports_max_pool(const Graph& graph, const Node& node) {
  if (node.inputs.size() != 1 || node.outputs.size() != 1)
    return make_error(StatusCode::kUnsupported, node.describe(), ": only MaxPool with one output (no Indices) runs "
                      "on the CPU backend");
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (x.shape.size() != 4 || !shape_is_static(x.shape) || !shape_is_static(y.shape))
    return make_error(StatusCode::kUnsupported, node.describe(), ": needs a concrete 4-D input, got ",
                      shape_to_string(x.shape));
  if (x.dtype != y.dtype || (x.dtype != DType::kFloat32 && !is_quantized_type(x.dtype)))
    return make_error(StatusCode::kUnsupported, node.describe(), ": input ", dtype_name(x.dtype), " → output ",
                      dtype_name(y.dtype), "; expected float32, int8 or uint8 on both sides");
  if (is_quantized_type(x.dtype) && x.quant != y.quant)
    return make_error(StatusCode::kUnsupported, node.describe(), ": quantized MaxPool must keep its input's "
                      "quantization parameters (output '", y.name, "' differs from input '", x.name, "')");
  if (node.attr_string("auto_pad", "NOTSET") != "NOTSET")
    return make_error(StatusCode::kUnsupported, node.describe(), ": auto_pad must be resolved into pads by shape "
                      "inference first");
  if (node.attr_int("storage_order", 0) != 0)
    return make_error(StatusCode::kUnsupported, node.describe(), ": storage_order=1 is not supported");
  PoolWindow win = pool_window(node);
  if (win.kernel.size() != 2 || win.strides.size() != 2 || win.dilations.size() != 2 || win.pads.size() != 4)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": kernel_shape/strides/dilations need 2 "
                      "values and pads 4");
  for (int i = 0; i < 2; ++i) {
    int64_t extent = (win.kernel[i] - 1) * win.dilations[i] + 1;
    if (win.pads[i] >= extent || win.pads[i + 2] >= extent)
      return make_error(StatusCode::kUnsupported, node.describe(), ": padding ", win.pads[i], "/", win.pads[i + 2],
                        " reaches a whole window (extent ", extent, "); such windows see no input");
  }
  return {};
}

StatusOr<std::unique_ptr<Kernel>> create_max_pool(const dnnl::engine& engine, const Graph& graph, const Node& node) {
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  PoolWindow win = pool_window(node);
  dnnl::memory::dims pad_begin = {win.pads[0], win.pads[1]}, pad_end(2), dilations(2);
  for (int i = 0; i < 2; ++i) {
    int64_t extent = (win.kernel[i] - 1) * win.dilations[i] + 1;
    // oneDNN derives the output size with floor division; ceil_mode's extra window needs extra end padding.
    int64_t needed = (y.shape[2 + i] - 1) * win.strides[i] + extent - x.shape[2 + i] - win.pads[i];
    pad_end[i] = std::max(win.pads[i + 2], needed);
    dilations[i] = win.dilations[i] - 1;
  }
  try {
    dnnl::pooling_v2_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                        buffer_desc(x.shape, x.dtype, Layout::kNhwc),
                                        buffer_desc(y.shape, y.dtype, Layout::kNhwc),
                                        {win.strides[0], win.strides[1]}, {win.kernel[0], win.kernel[1]}, dilations,
                                        pad_begin, pad_end);
    dnnl::pooling_v2_forward::primitive_desc pd(desc, engine);
    return std::unique_ptr<Kernel>(new SrcDstKernel(engine, pd, node.describe(), Layout::kNhwc));
  } catch (const dnnl::error& e) {
    return dnnl_failure(node.describe() + ": oneDNN has no max pooling for input " + shape_to_string(x.shape), e);
  }
}

}  // namespace

const KernelFamily kMaxPoolFamily = {supports_max_pool, LayoutPolicy::kNhwc, create_max_pool};

}  // namespace qatrt::cpu
