#include "backends/reference/int8_accumulate.h"

#include "backends/reference/conv_loop.h"
#include "backends/reference/quantized_layer.h"

namespace qatrt::reference {
namespace {

std::vector<int32_t> per_channel_zeros(std::span<const int64_t> zero_points, int64_t channels) {
  std::vector<int32_t> zeros(static_cast<size_t>(channels));
  for (int64_t k = 0; k < channels; ++k)
    zeros[k] = static_cast<int32_t>(zero_points.size() == 1 ? zero_points[0] : zero_points[k]);
  return zeros;
}

template <typename X>
std::vector<int32_t> gemm(int64_t m, int64_t n, int64_t k, const X* a, int32_t a_zero, const int8_t* w,
                          const std::vector<int32_t>& w_zero) {
  std::vector<int32_t> acc(static_cast<size_t>(m * n), 0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      int32_t sum = 0;
      for (int64_t p = 0; p < k; ++p)
        sum += (static_cast<int32_t>(a[i * k + p]) - a_zero) * (static_cast<int32_t>(w[j * k + p]) - w_zero[j]);
      acc[i * n + j] = sum;
    }
  return acc;
}

}  // namespace

std::vector<int32_t> qconv_accumulate(const ConvShape& shape, DType x_type, const void* x, int32_t x_zero,
                                      const int8_t* w, std::span<const int64_t> w_zero_points) {
  std::vector<int32_t> acc(static_cast<size_t>(shape.batch * shape.out_channels * shape.window.out_size()), 0);
  std::vector<int32_t> w_zero = per_channel_zeros(w_zero_points, shape.out_channels);
  if (x_type == DType::kUInt8)
    convolve<int32_t>(shape, static_cast<const uint8_t*>(x), x_zero, w, w_zero, acc.data());
  else
    convolve<int32_t>(shape, static_cast<const int8_t*>(x), x_zero, w, w_zero, acc.data());
  return acc;
}

std::vector<int32_t> qgemm_accumulate(int64_t m, int64_t n, int64_t k, DType a_type, const void* a, int32_t a_zero,
                                      const int8_t* w, std::span<const int64_t> w_zero_points) {
  std::vector<int32_t> w_zero = per_channel_zeros(w_zero_points, n);
  if (a_type == DType::kUInt8) return gemm(m, n, k, static_cast<const uint8_t*>(a), a_zero, w, w_zero);
  return gemm(m, n, k, static_cast<const int8_t*>(a), a_zero, w, w_zero);
}

StatusOr<std::vector<int32_t>> qconv_node_accumulators(const Graph& graph, const Node& node, const void* x) {
  if (node.op != Op::kQConv)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": not a QConv");
  QATRT_ASSIGN_OR_RETURN(ConvShape shape, make_conv_shape(graph, node));
  QATRT_ASSIGN_OR_RETURN(QuantizedLayer layer, read_quantized_layer(graph, node, shape.out_channels));
  return qconv_accumulate(shape, layer.x_type, x, layer.x_zero, layer.weight.data<int8_t>(), layer.w_zero_points);
}

StatusOr<std::vector<int32_t>> qgemm_node_accumulators(const Graph& graph, const Node& node, const void* a) {
  if (node.op != Op::kQGemm)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": not a QGemm");
  const Shape& a_shape = graph.value(node.inputs[0]).shape;
  const Shape& w_shape = graph.value(node.inputs[1]).shape;
  if (a_shape.size() != 2 || w_shape.size() != 2 || a_shape[1] != w_shape[1])
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": input ", shape_to_string(a_shape),
                      " and weight ", shape_to_string(w_shape), " must be [M,K] and [N,K]");
  QATRT_ASSIGN_OR_RETURN(QuantizedLayer layer, read_quantized_layer(graph, node, w_shape[0]));
  return qgemm_accumulate(a_shape[0], w_shape[0], a_shape[1], layer.x_type, a, layer.x_zero,
                          layer.weight.data<int8_t>(), layer.w_zero_points);
}

}  // namespace qatrt::reference
