// QConv and QGemm share their operand list and their epilogue (src/ir/ops.h):
//   inputs: 0 x int8|uint8 (per-tensor quant), 1 w int8 const (per-tensor or per-channel along axis 0),
//           2 bias f32 const [K] | none, 3 residual int8|uint8 (per-tensor quant) | f32 | none; attr relu.
//   epilogue, in this order, for output channel k:
//     y = acc · (s_x · s_w[k])  →  + bias[k]  →  + residual  →  relu  →  out = saturate(rte(y / s_out) + z_out) | y
//   s_x · s_w[k] is formed in float before it multiplies float(acc); a quantized residual is (q_r − z_r) · s_r.
//   With exact rounding (attr "exact_rounding", ops.h) every step is in double instead, with S[k] and B[k] of
//   ir/exact_rounding.h in place of s_w[k] and bias[k]: y = acc · (s_x · S[k]) + B[k] + residual, relu, then
//   a double division by s_out; a float output is (float)y.
#pragma once

#include <cstdint>
#include <vector>

#include "backends/backend.h"
#include "core/quant.h"
#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::reference {

struct QuantizedLayer {
  DType x_type = DType::kInt8;
  int32_t x_zero = 0;
  float x_scale = 1;
  Tensor weight;                      // int8, as stored in the graph
  std::vector<int64_t> w_zero_points;  // one per output channel (a per-tensor value repeated)
  std::vector<float> w_scales;         // one per output channel
  std::vector<float> bias;             // one per output channel, or empty
  bool has_residual = false;
  DType residual_type = DType::kFloat32;
  QuantParams residual_quant;  // when residual_type is int8/uint8
  bool relu = false;
  DType out_type = DType::kFloat32;
  QuantParams out_quant;  // when out_type is int8/uint8
  bool exact = false;
  std::vector<double> exact_acc_scales;  // s_x · S[k], when exact
  std::vector<double> exact_bias;        // B[k], when exact
};

// Reads and checks the operands of a QConv / QGemm node with `channels` output channels (K or N); the
// residual, when present, must have the output's shape.
StatusOr<QuantizedLayer> read_quantized_layer(const Graph& graph, const Node& node, int64_t channels);

// Applies the epilogue to row-major accumulators, writing `out` (NCHW / [M, N], the output's dtype). The
// channel of element i is (i / inner) % channels: inner = spatial size for QConv, 1 for QGemm.
// residual: the view of input 3, or nullptr.
void apply_quantized_epilogue(const QuantizedLayer& layer, const int32_t* acc, int64_t inner,
                              const TensorView* residual, const TensorView& out);

}  // namespace qatrt::reference
