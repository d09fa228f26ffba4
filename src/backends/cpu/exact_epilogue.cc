#include "backends/cpu/exact_epilogue.h"

#include <algorithm>
#include <type_traits>

#include "backends/cpu/cpu_kernels.h"
#include "backends/cpu/dnnl_util.h"
#include "core/quant.h"
#include "ir/exact_rounding.h"

namespace qatrt::cpu {
namespace {

struct ExactFactors {
  std::vector<double> acc_scales;  // s_x · S[k]
  std::vector<double> bias;        // B[k]
  bool relu = false;
  double residual_scale = 1;       // a quantized residual's s_r and z_r
  int64_t residual_zero = 0;
  DType out_type = DType::kFloat32;
  double out_scale = 1;            // a quantized output's s_out and z_out
  int64_t out_zero = 0;
};

template <typename R, typename O>
void exact_epilogue(const ExactFactors& f, const int32_t* acc, const R* residual, O* out, int64_t rows,
                    int64_t channels) {
#pragma omp parallel for schedule(static) if (rows * channels > kParallelThreshold)
  for (int64_t row = 0; row < rows; ++row)
    for (int64_t k = 0; k < channels; ++k) {
      const int64_t i = row * channels + k;
      double y = static_cast<double>(acc[i]) * f.acc_scales[k] + f.bias[k];
      if (residual) {
        if constexpr (std::is_same_v<R, float>)
          y += residual[i];
        else
          y += dequantize_value_exact(residual[i], f.residual_scale, f.residual_zero);
      }
      if (f.relu) y = std::max(y, 0.0);
      if constexpr (std::is_same_v<O, float>)
        out[i] = static_cast<float>(y);
      else
        out[i] = static_cast<O>(quantize_value_exact(y, f.out_scale, f.out_zero, f.out_type));
    }
}

template <typename R>
void exact_epilogue_to(const ExactFactors& f, const int32_t* acc, const R* residual, const TensorView& y,
                       int64_t channels) {
  const int64_t rows = y.numel() / channels;
  switch (f.out_type) {
    case DType::kInt8: return exact_epilogue(f, acc, residual, y.as<int8_t>(), rows, channels);
    case DType::kUInt8: return exact_epilogue(f, acc, residual, y.as<uint8_t>(), rows, channels);
    default: return exact_epilogue(f, acc, residual, y.as<float>(), rows, channels);
  }
}

class ExactEpilogueKernel final : public Kernel {
 public:
  ExactEpilogueKernel(std::string node, std::unique_ptr<Kernel> accumulate, ExactFactors factors, int64_t channels,
                      DType residual_type, Layout layout, const Shape& out_shape)
      : node_(std::move(node)),
        accumulate_(std::move(accumulate)),
        factors_(std::move(factors)),
        channels_(channels),
        residual_type_(residual_type),
        layout_(layout),
        acc_view_{DType::kInt32, out_shape, nullptr, layout} {}

  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    // One accumulator buffer per thread, grown to the largest layer: the layers of a context run one after
    // another on its thread, so a buffer per kernel would hold every layer's int32 output at once (≈ 40 MB per
    // image for ResNet-50).
    thread_local std::vector<int32_t> accumulators;
    const auto count = static_cast<size_t>(acc_view_.numel());
    if (accumulators.size() < count) accumulators.resize(count);
    TensorView acc = acc_view_;
    acc.data = accumulators.data();
    QATRT_RETURN_IF_ERROR(accumulate_->run(inputs, std::span<const TensorView>(&acc, 1)));
    const TensorView& y = outputs[0];
    QATRT_RETURN_IF_ERROR(expect_layout(y, layout_, node_, "output"));
    const TensorView* r = inputs.size() > 3 && inputs[3].data ? &inputs[3] : nullptr;
    if (r) QATRT_RETURN_IF_ERROR(expect_layout(*r, layout_, node_, "residual"));
    switch (r ? residual_type_ : DType::kFloat32) {
      case DType::kInt8: exact_epilogue_to(factors_, accumulators.data(), r->as<const int8_t>(), y, channels_); break;
      case DType::kUInt8:
        exact_epilogue_to(factors_, accumulators.data(), r->as<const uint8_t>(), y, channels_);
        break;
      default:
        exact_epilogue_to(factors_, accumulators.data(), r ? r->as<const float>() : nullptr, y, channels_);
        break;
    }
    return {};
  }

 private:
  std::string node_;
  std::unique_ptr<Kernel> accumulate_;
  ExactFactors factors_;
  int64_t channels_;
  DType residual_type_;
  Layout layout_;
  TensorView acc_view_;  // the accumulators' view, [rows, channels] (shapes are concrete at creation)
};

}  // namespace

bool uses_exact_epilogue(const Node& node) {
  return (node.op == Op::kQConv || node.op == Op::kQGemm) && exact_rounding(node);
}

EpiloguePlan accumulator_plan(const Graph& graph, const Node& node) {
  EpiloguePlan plan;
  plan.src_zero_point = static_cast<int32_t>(graph.value(fused_operands(node).x).quant->zero_points[0]);
  return plan;
}

StatusOr<std::unique_ptr<Kernel>> with_exact_epilogue(std::unique_ptr<Kernel> accumulate, const Graph& graph,
                                                      const Node& node, int64_t channels, Layout activation_layout) {
  const FusedOperands ops = fused_operands(node);
  QATRT_ASSIGN_OR_RETURN(ExactChannelFactors channel, exact_channel_factors(graph, node, channels));
  ExactFactors f;
  const double s_x = graph.value(ops.x).quant->scales[0];
  for (double s : channel.weight_scales) f.acc_scales.push_back(s_x * s);
  f.bias = std::move(channel.bias);
  f.relu = node.attr_int("relu", 0) != 0;
  DType residual_type = DType::kFloat32;
  if (ops.residual != kNoValue) {
    const Value& r = graph.value(ops.residual);
    residual_type = r.dtype;
    if (is_quantized_type(r.dtype)) {
      f.residual_scale = r.quant->scales[0];
      f.residual_zero = r.quant->zero_points[0];
    }
  }
  const Value& y = graph.value(ops.y);
  f.out_type = y.dtype;
  if (is_quantized_type(y.dtype)) {
    f.out_scale = y.quant->scales[0];
    f.out_zero = y.quant->zero_points[0];
  }
  return std::unique_ptr<Kernel>(new ExactEpilogueKernel(node.describe(), std::move(accumulate), std::move(f),
                                                         channels, residual_type, activation_layout, y.shape));
}

}  // namespace qatrt::cpu
