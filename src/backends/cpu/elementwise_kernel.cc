// Add and Relu on same-shape operands, layout-oblivious flat loops. A quantized Relu compares the integers with
// the zero point (q ≥ z ⟺ (q − z)·s ≥ 0 for s > 0) and keeps the input's parameters.
// The clamps below are compare-and-select, written so that NaN takes the branch the reference takes. GCC
// if-converts (and so vectorizes) them only when comparisons are assumed not to trap; qatrt never unmasks
// floating-point exceptions, so nothing changes but the code generated.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include <algorithm>

#include "backends/cpu/cpu_kernels.h"

namespace qatrt::cpu {
namespace {

class AddKernel final : public Kernel {
 public:
  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    const float* a = inputs[0].as<float>();
    const float* b = inputs[1].as<float>();
    float* y = outputs[0].as<float>();
    const int64_t n = outputs[0].numel();
#pragma omp parallel for simd schedule(static) if (n > kParallelThreshold)
    for (int64_t i = 0; i < n; ++i) y[i] = a[i] + b[i];
    return {};
  }
};

// Written as a comparison that a NaN fails, so NaN passes through as in the reference (numpy's clip).
template <typename T>
void relu_loop(const T* x, T* y, int64_t n, T floor) {
#pragma omp parallel for simd schedule(static) if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) y[i] = x[i] < floor ? floor : x[i];
}

class ReluKernel final : public Kernel {
 public:
  ReluKernel(DType type, int32_t zero_point) : type_(type), zero_point_(zero_point) {}
  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    const TensorView& x = inputs[0];
    const TensorView& y = outputs[0];
    switch (type_) {
      case DType::kInt8: relu_loop(x.as<int8_t>(), y.as<int8_t>(), x.numel(), static_cast<int8_t>(zero_point_)); break;
      case DType::kUInt8:
        relu_loop(x.as<uint8_t>(), y.as<uint8_t>(), x.numel(), static_cast<uint8_t>(zero_point_));
        break;
      default: relu_loop(x.as<float>(), y.as<float>(), x.numel(), 0.f); break;
    }
    return {};
  }

 private:
  DType type_;
  int32_t zero_point_;
};

Status supports_elementwise(const Graph& graph, const Node& node) {
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  if (node.op == Op::kAdd) {
    if (node.inputs.size() != 2 || node.inputs[1] == kNoValue)
      return make_error(StatusCode::kInvalidArgument, node.describe(), ": needs two inputs");
    const Value& b = graph.value(node.inputs[1]);
    if (x.dtype != DType::kFloat32 || b.dtype != DType::kFloat32 || y.dtype != DType::kFloat32)
      return make_error(StatusCode::kUnsupported, node.describe(), ": only float32 Add runs on the CPU backend, got ",
                        dtype_name(x.dtype), " + ", dtype_name(b.dtype));
    if (x.shape != b.shape || x.shape != y.shape || !shape_is_static(x.shape))
      return make_error(StatusCode::kUnsupported, node.describe(), ": broadcasting Add ", shape_to_string(x.shape),
                        " + ", shape_to_string(b.shape), " is not supported; only same-shape operands");
    return {};
  }
  // Relu
  if (x.dtype != y.dtype || x.shape != y.shape)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": output must match the input's type and shape");
  if (x.dtype == DType::kFloat32) return {};
  if (!is_quantized_type(x.dtype))
    return make_error(StatusCode::kUnsupported, node.describe(), ": Relu on ", dtype_name(x.dtype),
                      " is not supported");
  if (!x.quant || x.quant->per_axis() || x.quant != y.quant || !(x.quant->scales[0] > 0.f))
    return make_error(StatusCode::kUnsupported, node.describe(), ": quantized Relu needs per-tensor parameters with "
                      "a positive scale, equal on input '", x.name, "' and output '", y.name, "'");
  return {};
}

StatusOr<std::unique_ptr<Kernel>> create_elementwise(const dnnl::engine&, const Graph& graph, const Node& node) {
  if (node.op == Op::kAdd) return std::unique_ptr<Kernel>(new AddKernel());
  const Value& x = graph.value(node.inputs[0]);
  int32_t zero_point = x.quant ? static_cast<int32_t>(x.quant->zero_points[0]) : 0;
  return std::unique_ptr<Kernel>(new ReluKernel(x.dtype, zero_point));
}

}  // namespace

const KernelFamily kElementwiseFamily = {supports_elementwise, LayoutPolicy::kAny, create_elementwise};

}  // namespace qatrt::cpu
