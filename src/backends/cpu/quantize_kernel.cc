// QuantizeLinear, DequantizeLinear and Requantize, per-tensor and layout-oblivious (one flat loop), bit-exact
// with core/quant.h:
//   Q:  q = saturate(roundTiesToEven(x / s) + z)   — a true division (x · (1/s) rounds differently), and the
//       round-to-nearest-even done by adding and subtracting 1.5·2^23 after clamping |x / s| ≤ 2^22, which equals
//       std::nearbyint there and, unlike the libm call, vectorizes. NaN and ±inf land where quantize_value puts
//       them (NaN → the type's minimum).
//   DQ: x = (q − z) · s
//   Requantize: a 256-entry table of Q_out(DQ_in(q)), built with the reference formulas at creation.
// With exact rounding (attr "exact_rounding", ops.h) Q divides and rounds in double (quantize_value_exact, one
// libm rounding per element: it does not vectorize) and the Requantize table is built in double.
// The clamps below are compare-and-select, written so that NaN takes the branch the reference takes. GCC
// if-converts (and so vectorizes) them only when comparisons are assumed not to trap; qatrt never unmasks
// floating-point exceptions, so nothing changes but the code generated.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-trapping-math")
#endif

#include <array>
#include <cmath>

#include "backends/cpu/cpu_kernels.h"
#include "core/quant.h"
#include "ir/exact_rounding.h"

namespace qatrt::cpu {
namespace {

constexpr float kRoundLimit = 4194304.f;         // 2^22: |v| ≤ 2^22 keeps v + 1.5·2^23 in [2^23, 2^24]
constexpr float kRoundMagic = 12582912.f;        // 1.5·2^23

template <typename Out>
void quantize_loop(const float* x, Out* q, int64_t n, float scale, float zero_point, float lo, float hi) {
#pragma omp parallel for simd schedule(static) if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) {
    float v = x[i] / scale;
    v = v > -kRoundLimit ? v : -kRoundLimit;  // NaN fails the comparison and goes low, like std::fmax in Q
    v = v < kRoundLimit ? v : kRoundLimit;
    float r = (v + kRoundMagic) - kRoundMagic + zero_point;
    r = r > lo ? r : lo;
    r = r < hi ? r : hi;
    q[i] = static_cast<Out>(static_cast<int32_t>(r));
  }
}

template <typename Out>
void exact_quantize_loop(const float* x, Out* q, int64_t n, double scale, int64_t zero_point, DType type) {
#pragma omp parallel for schedule(static) if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) q[i] = static_cast<Out>(quantize_value_exact(x[i], scale, zero_point, type));
}

template <typename In>
void dequantize_loop(const In* q, float* x, int64_t n, float scale, int32_t zero_point) {
#pragma omp parallel for simd schedule(static) if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(static_cast<int32_t>(q[i]) - zero_point) * scale;
}

template <typename In, typename Out>
void table_loop(const In* q, Out* out, int64_t n, const std::array<int32_t, 256>& table) {
#pragma omp parallel for schedule(static) if (n > kParallelThreshold)
  for (int64_t i = 0; i < n; ++i) out[i] = static_cast<Out>(table[static_cast<uint8_t>(q[i])]);
}

// The parameters a node computes with: Q/DQ use their attributes (ops.h), Requantize its values' Value::quant.
struct QuantStep {
  float scale = 1.f;
  int64_t zero_point = 0;
};

QuantStep attribute_step(const Node& node) {
  auto scales = node.attr_floats("scale");
  auto zero_points = node.attr_ints("zero_point");
  return {scales.empty() ? 1.f : scales[0], zero_points.empty() ? 0 : zero_points[0]};
}

class QuantizeKernel final : public Kernel {
 public:
  QuantizeKernel(const Graph& graph, const Node& node) : op_(node.op), exact_(exact_rounding(node)) {
    in_type_ = graph.value(node.inputs[0]).dtype;
    out_type_ = graph.value(node.outputs[0]).dtype;
    if (op_ != Op::kRequantize) {
      step_ = attribute_step(node);
      return;
    }
    const QuantParams& in = *graph.value(node.inputs[0]).quant;
    const QuantParams& out = *graph.value(node.outputs[0]).quant;
    for (int32_t i = 0; i < 256; ++i) {
      int32_t q = in_type_ == DType::kInt8 ? static_cast<int8_t>(i) : i;  // table index = the byte's bits
      table_[i] = exact_ ? quantize_value_exact(dequantize_value_exact(q, in.scales[0], in.zero_points[0]),
                                                out.scales[0], out.zero_points[0], out_type_)
                         : quantize_value(dequantize_value(q, in.scales[0], in.zero_points[0]), out.scales[0],
                                          out.zero_points[0], out_type_);
    }
  }

  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    const TensorView& x = inputs[0];
    const TensorView& y = outputs[0];
    const int64_t n = x.numel();
    const float lo = static_cast<float>(quant_min(out_type_)), hi = static_cast<float>(quant_max(out_type_));
    const float z = static_cast<float>(step_.zero_point);
    const auto zi = static_cast<int32_t>(step_.zero_point);
    switch (op_) {
      case Op::kQuantizeLinear:
        if (exact_ && out_type_ == DType::kInt8)
          exact_quantize_loop(x.as<float>(), y.as<int8_t>(), n, step_.scale, step_.zero_point, out_type_);
        else if (exact_)
          exact_quantize_loop(x.as<float>(), y.as<uint8_t>(), n, step_.scale, step_.zero_point, out_type_);
        else if (out_type_ == DType::kInt8)
          quantize_loop(x.as<float>(), y.as<int8_t>(), n, step_.scale, z, lo, hi);
        else
          quantize_loop(x.as<float>(), y.as<uint8_t>(), n, step_.scale, z, lo, hi);
        break;
      case Op::kDequantizeLinear:
        if (in_type_ == DType::kInt8)
          dequantize_loop(x.as<int8_t>(), y.as<float>(), n, step_.scale, zi);
        else
          dequantize_loop(x.as<uint8_t>(), y.as<float>(), n, step_.scale, zi);
        break;
      default:  // Requantize: the table is indexed by the input byte, whatever its signedness
        if (out_type_ == DType::kInt8)
          table_loop(x.as<uint8_t>(), y.as<int8_t>(), n, table_);
        else
          table_loop(x.as<uint8_t>(), y.as<uint8_t>(), n, table_);
        break;
    }
    return {};
  }

 private:
  Op op_;
  bool exact_;
  DType in_type_, out_type_;
  QuantStep step_;
  std::array<int32_t, 256> table_{};
};

// Q / DQ compute with their own attributes: one positive finite scale, a zero point inside the quantized type.
Status per_tensor_attributes(const Node& node, DType quantized_type) {
  auto scales = node.attr_floats("scale");
  auto zero_points = node.attr_ints("zero_point");
  if (scales.size() != 1 || zero_points.size() > 1)
    return make_error(StatusCode::kUnsupported, node.describe(), ": ", scales.size(),
                      " scales (per-axis); the CPU backend quantizes per-tensor only");
  if (!std::isfinite(scales[0]) || scales[0] <= 0.f)
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": scale ", scales[0],
                      " must be positive and finite");
  const int64_t z = zero_points.empty() ? 0 : zero_points[0];
  if (z < quant_min(quantized_type) || z > quant_max(quantized_type))
    return make_error(StatusCode::kInvalidArgument, node.describe(), ": zero point ", z, " is outside ",
                      dtype_name(quantized_type));
  return {};
}

Status supports_quantize(const Graph& graph, const Node& node) {
  if (node.inputs.size() != 1 || node.outputs.size() != 1)
    return make_error(StatusCode::kUnsupported, node.describe(), ": expected one input and one output");
  const Value& x = graph.value(node.inputs[0]);
  const Value& y = graph.value(node.outputs[0]);
  switch (node.op) {
    case Op::kQuantizeLinear:
      if (x.dtype != DType::kFloat32 || !is_quantized_type(y.dtype))
        return make_error(StatusCode::kUnsupported, node.describe(), ": ", dtype_name(x.dtype), " → ",
                          dtype_name(y.dtype), "; expected float32 → int8/uint8");
      return per_tensor_attributes(node, y.dtype);
    case Op::kDequantizeLinear:
      if (!is_quantized_type(x.dtype) || y.dtype != DType::kFloat32)
        return make_error(StatusCode::kUnsupported, node.describe(), ": ", dtype_name(x.dtype), " → ",
                          dtype_name(y.dtype), "; expected int8/uint8 → float32 (int32 biases are folded at "
                          "build time)");
      return per_tensor_attributes(node, x.dtype);
    default:  // Requantize
      if (!is_quantized_type(x.dtype) || !is_quantized_type(y.dtype) || !x.quant || !y.quant ||
          x.quant->per_axis() || y.quant->per_axis())
        return make_error(StatusCode::kUnsupported, node.describe(), ": needs per-tensor quantized input and output, "
                          "got '", x.name, "' ", dtype_name(x.dtype), " and '", y.name, "' ", dtype_name(y.dtype));
      return {};
  }
}

StatusOr<std::unique_ptr<Kernel>> create_quantize(const dnnl::engine&, const Graph& graph, const Node& node) {
  return std::unique_ptr<Kernel>(new QuantizeKernel(graph, node));
}

}  // namespace

const KernelFamily kQuantizeFamily = {supports_quantize, LayoutPolicy::kAny, create_quantize};

}  // namespace qatrt::cpu
