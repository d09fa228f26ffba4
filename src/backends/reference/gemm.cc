// Gemm (ONNX): Y = alpha · A' · B' + beta · C with A' = transA ? Aᵀ : A, B' = transB ? Bᵀ : B, C broadcast to
// [M, N]. FusedGemm (ops.h): y = relu?(a · wᵀ + bias[n] + residual), w stored [N, K]. MatMul (ONNX): numpy
// matmul with batch broadcasting and the 1-D promotions. All float; sums accumulate in float in k order.
#include <algorithm>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {

KernelOr make_gemm_kernel(const Graph& graph, const Node& node) {
  const bool fused = node.op == Op::kFusedGemm;
  QATRT_RETURN_IF_ERROR(check_arity(node, 2, fused ? 4 : 3, 1));
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (has_input(node, i)) QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[i], "operand", {DType::kFloat32}));
  const Shape& a = graph.value(node.inputs[0]).shape;
  const Shape& b = graph.value(node.inputs[1]).shape;
  const Shape& y = graph.value(node.outputs[0]).shape;
  const bool trans_a = !fused && node.attr_int("transA", 0) != 0;
  const bool trans_b = fused || node.attr_int("transB", 0) != 0;
  if (a.size() != 2 || b.size() != 2 || y.size() != 2)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": A ", shape_to_string(a), ", B ",
                      shape_to_string(b), " and Y ", shape_to_string(y), " must be 2-D");
  const int64_t m = trans_a ? a[1] : a[0], k = trans_a ? a[0] : a[1];
  const int64_t n = trans_b ? b[0] : b[1], kb = trans_b ? b[1] : b[0];
  if (k != kb || y != Shape{m, n})
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": A ", shape_to_string(a), " (transA ",
                      trans_a, ") × B ", shape_to_string(b), " (transB ", trans_b, ") does not give Y ",
                      shape_to_string(y));
  const float alpha = fused ? 1.0f : node.attr_float("alpha", 1.0f);
  const float beta = fused ? 1.0f : node.attr_float("beta", 1.0f);
  const bool has_c = has_input(node, 2);
  const bool has_residual = fused && has_input(node, 3);
  const bool relu = fused && node.attr_int("relu", 0) != 0;
  // Gemm's C broadcasts to [M, N]; FusedGemm's bias is [N], i.e. the same rule with a row vector.
  Shape c_shape = has_c ? graph.value(node.inputs[2]).shape : Shape{};
  if (has_c && (c_shape.size() > 2 || (fused && c_shape != Shape{n})))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", fused ? "bias " : "C ",
                      shape_to_string(c_shape), " does not broadcast to ", shape_to_string(y));
  for (size_t i = 0; i < c_shape.size(); ++i) {
    int64_t target = y[2 - c_shape.size() + i];
    if (c_shape[i] != 1 && c_shape[i] != target)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": C ", shape_to_string(c_shape),
                        " does not broadcast to ", shape_to_string(y));
  }
  if (has_residual && graph.value(node.inputs[3]).shape != y)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": residual ",
                      shape_to_string(graph.value(node.inputs[3]).shape), " must be ", shape_to_string(y));
  BroadcastIndex c_index(c_shape, y);

  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const float* pa = in[0].as<const float>();
    const float* pb = in[1].as<const float>();
    float* py = out[0].as<float>();
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j) {
        float sum = 0;
        for (int64_t p = 0; p < k; ++p) {
          float av = trans_a ? pa[p * m + i] : pa[i * k + p];
          float bv = trans_b ? pb[j * k + p] : pb[p * n + j];
          sum += av * bv;
        }
        float v = alpha * sum;
        if (has_c) v += beta * in[2].as<const float>()[c_index(i * n + j)];
        if (has_residual) v += in[3].as<const float>()[i * n + j];
        if (relu) v = std::max(v, 0.0f);
        py[i * n + j] = v;
      }
    }
    return {};
  });
}

KernelOr make_matmul_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 2, 2, 1));
  for (ValueId id : node.inputs) QATRT_RETURN_IF_ERROR(check_dtype(graph, node, id, "operand", {DType::kFloat32}));
  Shape a = graph.value(node.inputs[0]).shape;
  Shape b = graph.value(node.inputs[1]).shape;
  const Shape& y = graph.value(node.outputs[0]).shape;
  if (a.empty() || b.empty())
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": MatMul operands must not be scalars");
  // 1-D promotion: a vector A is a [1, K] matrix, a vector B a [K, 1] matrix; the added dim is then dropped
  // from the output, which leaves the element order unchanged, so only the shapes need promoting.
  if (a.size() == 1) a.insert(a.begin(), 1);
  if (b.size() == 1) b.push_back(1);
  const int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
  if (b[b.size() - 2] != k)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": inner dims differ: ", shape_to_string(a),
                      " × ", shape_to_string(b));
  // Batch dims broadcast numpy-style; the output batch shape is the broadcast of both.
  Shape batch_a(a.begin(), a.end() - 2), batch_b(b.begin(), b.end() - 2);
  Shape batch(std::max(batch_a.size(), batch_b.size()), 1);
  for (size_t i = 0; i < batch.size(); ++i) {
    auto dim = [&](const Shape& s) { size_t lead = batch.size() - s.size(); return i < lead ? 1 : s[i - lead]; };
    int64_t da = dim(batch_a), db = dim(batch_b);
    if (da != db && da != 1 && db != 1)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": batch dims of ", shape_to_string(a),
                        " and ", shape_to_string(b), " do not broadcast");
    batch[i] = std::max(da, db);
  }
  if (shape_numel(y) != shape_numel(batch) * m * n)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": output ", shape_to_string(y),
                      " does not hold ", shape_to_string(a), " × ", shape_to_string(b));
  BroadcastIndex a_batch(batch_a, batch), b_batch(batch_b, batch);
  const int64_t batches = shape_numel(batch);

  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    const float* pa = in[0].as<const float>();
    const float* pb = in[1].as<const float>();
    float* py = out[0].as<float>();
    for (int64_t t = 0; t < batches; ++t) {
      const float* at = pa + a_batch(t) * m * k;
      const float* bt = pb + b_batch(t) * k * n;
      float* yt = py + t * m * n;
      for (int64_t i = 0; i < m; ++i)
        for (int64_t j = 0; j < n; ++j) {
          float sum = 0;
          for (int64_t p = 0; p < k; ++p) sum += at[i * k + p] * bt[p * n + j];
          yt[i * n + j] = sum;
        }
    }
    return {};
  });
}

}  // namespace qatrt::reference
