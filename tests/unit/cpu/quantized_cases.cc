#include "quantized_cases.h"

#include <cmath>

namespace qatrt::cpu_test {
namespace {

// Draws the weight scales and the bias (the output side comes later, from a float run).
void draw_scales_and_bias(QuantOperands& ops, int64_t channels, int64_t reduction, std::mt19937& rng) {
  std::uniform_real_distribution<float> w_scale(0.002f, 0.02f);
  for (int64_t k = 0; k < channels; ++k) ops.w_scales.push_back(w_scale(rng));
  // Typical |acc · s_x · s_w|: sets the bias and residual ranges and, via a float run, the output scale.
  const float typical = ops.x_scale * 0.01f * 70.f * 70.f * std::sqrt(static_cast<float>(reduction));
  ops.bias = random_float({channels}, rng, -typical, typical);
}

std::vector<Tensor> activation_inputs(const Epilogue& e, const QuantOperands& ops) {
  std::vector<Tensor> in = {ops.x};
  if (e.residual != Residual::kNone) in.push_back(ops.residual);
  return in;
}

}  // namespace

std::map<std::string, AttrValue> conv_attrs(const ConvGeometry& g, bool relu) {
  return {{"strides", std::vector<int64_t>{g.stride_h, g.stride_w}},
          {"pads", std::vector<int64_t>{g.pad_top, g.pad_left, g.pad_bottom, g.pad_right}},
          {"dilations", std::vector<int64_t>{g.dilation_h, g.dilation_w}},
          {"group", g.group},
          {"relu", static_cast<int64_t>(relu)}};
}

Graph qconv_graph(const ConvGeometry& g, const Epilogue& e, const QuantOperands& ops, DType out_type,
                  std::optional<QuantParams> out_quant, bool with_residual) {
  NodeGraph ng(Op::kQConv, conv_attrs(g, e.relu));
  add_quantized_inputs(ng, e, ops, with_residual);
  ng.output(out_type, g.output_shape(), out_quant);
  return ng.graph;
}

Graph qgemm_graph(const GemmSize& size, const Epilogue& e, const QuantOperands& ops, DType out_type,
                  std::optional<QuantParams> out_quant, bool with_residual) {
  NodeGraph ng(Op::kQGemm, {{"relu", static_cast<int64_t>(e.relu)}});
  add_quantized_inputs(ng, e, ops, with_residual);
  ng.output(out_type, {size.m, size.n}, out_quant);
  return ng.graph;
}

StatusOr<QuantizedCase> qconv_case(const ConvGeometry& g, const Epilogue& e, uint32_t seed, Backend& reference) {
  std::mt19937 rng(seed);
  QuantOperands ops;
  ops.x = random_quantized(e.x_type, {g.n, g.c, g.h, g.w}, rng);
  ops.w = random_quantized(kS8, {g.k, g.c / g.group, g.r, g.s}, rng);
  draw_scales_and_bias(ops, g.k, g.c / g.group * g.r * g.s, rng);
  QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> float_out,
                         run_on(reference, qconv_graph(g, e, ops, kF32, std::nullopt, false), {ops.x}));
  std::optional<QuantParams> out_quant = choose_output_and_residual(e, float_out.at(0), g.output_shape(), rng, ops);
  return QuantizedCase{qconv_graph(g, e, ops, e.out_type, out_quant, true), activation_inputs(e, ops)};
}

StatusOr<QuantizedCase> qgemm_case(const GemmSize& size, const Epilogue& e, uint32_t seed, Backend& reference) {
  std::mt19937 rng(seed);
  QuantOperands ops;
  ops.x = random_quantized(e.x_type, {size.m, size.k}, rng);
  ops.w = random_quantized(kS8, {size.n, size.k}, rng);
  draw_scales_and_bias(ops, size.n, size.k, rng);
  QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> float_out,
                         run_on(reference, qgemm_graph(size, e, ops, kF32, std::nullopt, false), {ops.x}));
  std::optional<QuantParams> out_quant = choose_output_and_residual(e, float_out.at(0), {size.m, size.n}, rng, ops);
  return QuantizedCase{qgemm_graph(size, e, ops, e.out_type, out_quant, true), activation_inputs(e, ops)};
}

}  // namespace qatrt::cpu_test
