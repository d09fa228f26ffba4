// Add, Sub, Mul, Div (ONNX opset 13) with numpy multidirectional broadcasting. float, int32 and int64; integer
// Div truncates toward zero (C++ semantics, as ONNX's reference does for integers).
#include <type_traits>

#include "backends/reference/kernel_util.h"
#include "backends/reference/kernels.h"

namespace qatrt::reference {
namespace {

template <typename T>
T apply(Op op, T a, T b) {
  switch (op) {
    case Op::kAdd: return a + b;
    case Op::kSub: return a - b;
    case Op::kMul: return a * b;
    default: return a / b;
  }
}

template <typename T>
Status run_binary(Op op, const BroadcastIndex& a_index, const BroadcastIndex& b_index,
                  std::span<const TensorView> in, const TensorView& out) {
  const T* pa = in[0].as<const T>();
  const T* pb = in[1].as<const T>();
  T* py = out.as<T>();
  for (int64_t i = 0; i < out.numel(); ++i) {
    if constexpr (std::is_integral_v<T>)
      if (op == Op::kDiv && pb[b_index(i)] == 0)
        return make_error(StatusCode::kInvalidArgument, "integer division by zero");
    py[i] = apply<T>(op, pa[a_index(i)], pb[b_index(i)]);
  }
  return {};
}

}  // namespace

KernelOr make_binary_kernel(const Graph& graph, const Node& node) {
  QATRT_RETURN_IF_ERROR(check_arity(node, 2, 2, 1));
  const Value& a = graph.value(node.inputs[0]);
  const Value& b = graph.value(node.inputs[1]);
  const Value& y = graph.value(node.outputs[0]);
  QATRT_RETURN_IF_ERROR(check_dtype(graph, node, node.inputs[0], "input A", {DType::kFloat32, DType::kInt32, DType::kInt64}));
  if (b.dtype != a.dtype || y.dtype != a.dtype)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": operands ", dtype_name(a.dtype), " and ",
                      dtype_name(b.dtype), " → ", dtype_name(y.dtype), " must share one dtype");
  for (const Shape* s : {&a.shape, &b.shape}) {
    bool fits = s->size() <= y.shape.size();
    for (size_t i = 0; fits && i < s->size(); ++i) {
      int64_t target = y.shape[y.shape.size() - s->size() + i];
      fits = (*s)[i] == target || (*s)[i] == 1;
    }
    if (!fits)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": ", shape_to_string(a.shape), " and ",
                        shape_to_string(b.shape), " do not broadcast to the output ", shape_to_string(y.shape));
  }
  const BroadcastIndex a_index(a.shape, y.shape), b_index(b.shape, y.shape);
  const Op op = node.op;
  const DType type = a.dtype;
  if (type != DType::kFloat32 && op == Op::kDiv && b.constant)
    for (int64_t i = 0; i < b.constant->numel(); ++i)
      if (b.constant->as_int64(i) == 0)
        return make_error(StatusCode::kInvalidArgument, node.describe(), ": integer division by a constant zero");
  return make_kernel([=](std::span<const TensorView> in, std::span<const TensorView> out) -> Status {
    switch (type) {
      case DType::kInt32: return run_binary<int32_t>(op, a_index, b_index, in, out[0]);
      case DType::kInt64: return run_binary<int64_t>(op, a_index, b_index, in, out[0]);
      default: return run_binary<float>(op, a_index, b_index, in, out[0]);
    }
  });
}

}  // namespace qatrt::reference
