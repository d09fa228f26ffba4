// QConv (ops.h): exact int32 accumulation (int8_accumulate.h), then the shared quantized epilogue
// (quantized_layer.h).
#include "backends/reference/int8_accumulate.h"
#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"
#include "backends/reference/quantized_layer.h"

namespace qatrt::reference {

KernelOr make_qconv_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 2, 4, 1));
  QATRT_ASSIGN_OR_RETURN(ConvShape shape, make_conv_shape(graph, node));
  QATRT_ASSIGN_OR_RETURN(QuantizedLayer layer, read_quantized_layer(graph, node, shape.out_channels));
  return make_kernel([shape, layer](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    std::vector<int32_t> acc = qconv_accumulate(shape, layer.x_type, in[0].data, layer.x_zero,
                                                layer.weight.data<int8_t>(), layer.w_zero_points);
    const TensorView* residual = layer.has_residual ? &in[3] : nullptr;
    apply_quantized_epilogue(layer, acc.data(), shape.window.out_size(), residual, out[0]);
    return {};
  });
}

}  // namespace qatrt::reference
