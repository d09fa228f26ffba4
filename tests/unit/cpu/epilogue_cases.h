// The epilogue variants shared by the QConv and QGemm sweeps (activation type and zero point, weight scale
// granularity, bias, residual kind, relu, output type and zero point), and the steps of those sweeps that do
// not depend on the op: the fixture, the node's inputs, the choice of output scale and residual, the bounds
// against the reference, and the four float variants of FusedConv / FusedGemm.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "backends/cpu/cpu_backend.h"
#include "backends/reference/reference_backend.h"
#include "core/dtype.h"
#include "node_harness.h"

namespace qatrt::cpu_test {

enum class Residual { kNone, kInt8, kUInt8, kFloat };

struct Epilogue {
  DType x_type;
  int64_t x_zero;
  bool per_channel;
  bool bias;
  Residual residual;
  int64_t residual_zero;
  bool relu;
  DType out_type;
  int64_t out_zero;
  bool saturate;  // choose s_out so that a good share of the outputs saturates
  std::string text() const {
    static const char* residual_names[] = {"none", "int8", "uint8", "float"};
    std::ostringstream o;
    o << "x " << dtype_name(x_type) << " z" << x_zero << ", w " << (per_channel ? "per-channel" : "per-tensor")
      << ", bias " << bias << ", residual " << residual_names[static_cast<int>(residual)] << " z" << residual_zero
      << ", relu " << relu << ", out " << dtype_name(out_type) << " z" << out_zero << ", saturate " << saturate;
    return o.str();
  }
};

inline constexpr DType kS8 = DType::kInt8, kU8 = DType::kUInt8, kF32 = DType::kFloat32;
inline const std::vector<Epilogue> kEpilogues = {
    {kS8, 0, true, true, Residual::kNone, 0, true, kS8, 0, false},      // ResNet conv + relu
    {kS8, 0, true, true, Residual::kInt8, 0, true, kS8, 0, false},      // ResNet residual block end
    {kU8, 128, true, true, Residual::kNone, 0, false, kU8, 128, false},  // uint8 with zero point 128
    {kU8, 0, false, false, Residual::kInt8, 5, true, kU8, 0, false},
    {kS8, 0, true, true, Residual::kFloat, 0, true, kS8, 0, false},
    {kS8, 0, true, true, Residual::kFloat, 0, false, kF32, 0, false},
    {kS8, -7, true, true, Residual::kNone, 0, false, kF32, 0, false},    // int8 with a zero point
    {kU8, 128, true, true, Residual::kUInt8, 128, true, kU8, 3, false},
    {kS8, 0, false, true, Residual::kNone, 0, false, kS8, 10, true},
    {kS8, 3, true, false, Residual::kInt8, -9, false, kF32, 0, false},
};

// Fixture of the QConv / QGemm / FusedConv / FusedGemm sweeps. One thread: hundreds of small kernels, where
// OpenMP's spin-waiting on a busy CI machine would cost far more than the work; the pool and quantize tests
// cover the backend's own loops with two threads.
class FusedOpSweepTest : public ::testing::Test {
 protected:
  std::unique_ptr<Backend> cpu = make_cpu_backend({.threads = 1});
  std::unique_ptr<Backend> ref = make_reference_backend();
};

// Operands of one QConv / QGemm case; the graph is rebuilt around them for each output choice.
struct QuantOperands {
  Tensor x, w, bias, residual;
  float x_scale = 0.05f;
  std::vector<float> w_scales;
  float residual_scale = 1.f;
};

// Inputs of a QConv / QGemm node in its order: x and w quantized as the epilogue says, then the bias, or an
// absent slot when a residual follows, then the residual when the epilogue has one and `with_residual`.
inline void add_quantized_inputs(NodeGraph& ng, const Epilogue& e, const QuantOperands& ops, bool with_residual) {
  ng.input(e.x_type, ops.x.shape(), per_tensor(ops.x_scale, e.x_zero));
  ng.constant(ops.w, weight_quant(ops.w_scales, e.per_channel));
  const bool residual = with_residual && e.residual != Residual::kNone;
  if (e.bias)
    ng.constant(ops.bias);
  else if (residual)
    ng.absent();
  if (residual) {
    std::optional<QuantParams> rq;
    if (e.residual != Residual::kFloat) rq = per_tensor(ops.residual_scale, e.residual_zero);
    ng.input(ops.residual.dtype(), ops.residual.shape(), rq);
  }
}

// Output side of a case, from the case's float output without residual (`float_out`): s_out puts its largest
// magnitude y_max at 110 LSB (300 when the epilogue wants saturation); the residual is drawn over ±y_max/2
// (float) or its type's whole range with s_r = 1.37·s_out. Fills ops.residual*; returns the output's
// quantization (none for a float output).
inline std::optional<QuantParams> choose_output_and_residual(const Epilogue& e, const Tensor& float_out,
                                                             const Shape& y_shape, std::mt19937& rng,
                                                             QuantOperands& ops) {
  const float y_max = std::max(max_abs(float_out), 1e-3f);
  const float out_scale = y_max / (e.saturate ? 300.f : 110.f);
  ops.residual_scale = out_scale * 1.37f;
  if (e.residual == Residual::kFloat)
    ops.residual = random_float(y_shape, rng, -y_max / 2, y_max / 2);
  else if (e.residual != Residual::kNone)
    ops.residual = random_quantized(e.residual == Residual::kInt8 ? kS8 : kU8, y_shape, rng);
  if (e.out_type == kF32) return std::nullopt;
  return per_tensor(out_scale, e.out_zero);
}

// The bounds of the QConv / QGemm sweeps against the reference: float outputs within 1e-5 of the largest
// magnitude; quantized outputs within 1 LSB, and off by one only at half-way cases (oneDNN folds the scales
// differently from the reference), a few per thousand at most. Counts the 1-LSB differences for the summary.
struct EpilogueBounds {
  int64_t off_by_one = 0, compared = 0;

  static double allowed(const Epilogue& e) { return e.out_type == kF32 ? 1e-5 : 1.0; }
  void expect_within(const Epilogue& e, const Comparison& c, const std::string& text) {
    EXPECT_EQ(c.beyond, 0) << text << ": " << describe(c);
    if (e.out_type == kF32) return;
    off_by_one += c.different;
    compared += c.count;
    EXPECT_LE(c.different, 1 + c.count / 200) << text << ": " << describe(c);
  }
};

// FusedConv / FusedGemm: float everything, with or without bias, residual and relu.
struct FloatFusedVariant {
  bool bias, residual, relu;
  std::string text() const {
    return "float, bias " + std::to_string(bias) + ", residual " + std::to_string(residual) + ", relu " +
           std::to_string(relu);
  }
};
inline const std::vector<FloatFusedVariant> kFloatFusedVariants = {
    {true, false, true}, {false, false, false}, {true, true, true}, {true, true, false}};

// Inputs and output of a FusedConv / FusedGemm node for variant `v`: x in [-1, 1), w in [-0.5, 0.5), a bias of
// w_shape[0] values in [-1, 1), a residual in [-2, 2). Returns the activation inputs in the node's order.
inline std::vector<Tensor> add_float_fused_operands(NodeGraph& ng, const FloatFusedVariant& v, const Shape& x_shape,
                                                    const Shape& w_shape, const Shape& y_shape, std::mt19937& rng) {
  Tensor x = random_float(x_shape, rng);
  ng.input(kF32, x.shape());
  ng.constant(random_float(w_shape, rng, -0.5f, 0.5f));
  if (v.bias)
    ng.constant(random_float({w_shape[0]}, rng));
  else if (v.residual)
    ng.absent();
  std::vector<Tensor> inputs = {x};
  if (v.residual) {
    inputs.push_back(random_float(y_shape, rng, -2.f, 2.f));
    ng.input(kF32, y_shape);
  }
  ng.output(kF32, y_shape);
  return inputs;
}

}  // namespace qatrt::cpu_test
