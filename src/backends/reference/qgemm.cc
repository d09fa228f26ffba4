// QGemm (ops.h): a [M, K] int8|uint8 × w [N, K] int8 with exact int32 accumulation (int8_accumulate.h), then
// the shared quantized epilogue (quantized_layer.h) with the channel along N.
#include "backends/reference/int8_accumulate.h"
#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"
#include "backends/reference/quantized_layer.h"

namespace qatrt::reference {

KernelOr make_qgemm_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 2, 4, 1));
  const Shape& a = graph.value(node.inputs[0]).shape;
  const Shape& w = graph.value(node.inputs[1]).shape;
  const Shape& y = graph.value(node.outputs[0]).shape;
  if (a.size() != 2 || w.size() != 2 || a[1] != w[1] || y != Shape{a[0], w[0]})
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(a), ", weight ",
                      shape_to_string(w), " and output ", shape_to_string(y), " must be [M,K], [N,K] and [M,N]");
  const int64_t m = a[0], k = a[1], n = w[0];
  QATRT_ASSIGN_OR_RETURN(QuantizedLayer layer, read_quantized_layer(graph, node, n));
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    std::vector<int32_t> acc = qgemm_accumulate(m, n, k, layer.x_type, in[0].data, layer.x_zero,
                                                layer.weight.data<int8_t>(), layer.w_zero_points);
    const TensorView* residual = layer.has_residual ? &in[3] : nullptr;
    apply_quantized_epilogue(layer, acc.data(), 1, residual, out[0]);
    return {};
  });
}

}  // namespace qatrt::reference
