// Op enumeration (from ops.def) and the operand contracts of qatrt's own fused ops.
//
// ONNX ops follow ONNX opset-13 semantics, with two import-time normalisations:
//   * QuantizeLinear / DequantizeLinear have ONE input (x); their scale and zero point are attributes:
//     "scale" (floats), "zero_point" (ints, same length), "axis" (int, non-negative, only meaningful when
//     scale has > 1 element); QuantizeLinear also has "output_dtype" (int: DType::kInt8 or kUInt8 as integer).
//     The output of QuantizeLinear (and any int8/uint8 value) carries the same numbers in Value::quant;
//     the importer also sets Value::quant on an int8/uint8 initializer or graph input read by a DQ.
//     A DQ's own attributes are what it computes with (they may differ from its input's Value::quant only in
//     hand-made graphs; passes that fuse a DQ require them equal).
//   * Operands that ONNX passes as constant inputs and that change shapes (Reshape's shape, Pad's pads and
//     constant value, Squeeze/Unsqueeze axes, Clip min/max) stay inputs; they must be constants.
//
// Fused ops (created by passes, see src/passes/fuse_*.cc). Layout NCHW, like ONNX.
//   FusedConv(x f32, w f32 const [K,C/g,R,S], bias f32 const [K] | none, residual f32 | none)
//       attrs: strides, pads (begin..., end...), dilations, group, relu (0/1)
//       y = relu?( conv(x, w) + bias[k] + residual )
//   QConv(x int8|uint8 (quant per-tensor), w int8 const (quant per-channel axis 0 or per-tensor),
//         bias f32 const [K] | none, residual int8|uint8 (quant) | f32 | none)
//       attrs: as FusedConv. Output int8|uint8 (with Value::quant: requantized) or f32.
//       acc[k] = Σ (q_x − z_x)·(q_w − z_w[k])    (int32, exact; padding contributes 0, i.e. q_x = z_x)
//       y = relu?( acc·s_x·s_w[k] + bias[k] + residual ),  residual = (q_r − z_r)·s_r when quantized
//       out = saturate(roundTiesToEven(y / s_out) + z_out) when the output is quantized, else y
//   FusedGemm(a f32 [M,K], w f32 const [N,K], bias f32 const [N] | none, residual f32 [M,N] | none)
//       attrs: relu.  y = relu?( a·wᵀ + bias + residual )
//   QGemm(a int8|uint8 [M,K] (quant per-tensor), w int8 const [N,K] (quant per-channel axis 0 or per-tensor),
//         bias f32 const [N] | none, residual quantized | f32 | none)
//       attrs: relu. Same epilogue as QConv with k → n.
//   Requantize(x int8|uint8 (quant)) → int8|uint8 (quant): out = Q_out(DQ_in(x)), per-tensor.
//   Cast(x float32|float16) → float16|float32, attr to (a qatrt DType value: 0 float32, 7 float16 — not ONNX's
//       numbering, hence the printed name qatrt.Cast): y = x rounded to nearest even (widening is exact). Made
//       by --fp16 at the graph's inputs and outputs.
//
// Float16 (`qatrt build --fp16`, PrecisionMode::kFp16; passes/convert_to_float16.cc). FusedConv and FusedGemm
// may take x, w, bias, residual and give y all float16: y = relu?(Σ x·w + bias + residual) rounded to float16,
// the products and their sum in float32 (in any order; cuDNN may also round the sum to float16 before adding
// bias and residual). MaxPool is exact; GlobalAveragePool (sum and mean) and
// Softmax compute in float32 and round their result to float16. Only the CUDA backend runs float16 values;
// the host backends refuse such nodes (backends/reference/float16_refusal.h).
//
// Exact rounding (`qatrt build --exact`, PrecisionMode::kInt8Exact). A node with attr "exact_rounding" = 1
// computes in double what it rounds to an integer, so its integers equal a float64 evaluation of the source
// model (float32 arithmetic decides the roundings of values that lie within ~1e-5 LSB of a .5 boundary, and in
// a deep network each such 1-LSB difference spreads; double's ~1e-13 LSB decides only values that close to a
// tie, which a float64 evaluation rounds by its own operation order too). A Q whose input a float layer
// computed (a float32 value) is exact from that value on only; mark_exact_rounding logs such nodes. Nodes:
//   QConv, QGemm: y computed in double from the exact int32 acc:
//       y = relu?( acc·(s_x·S[k]) + B[k] + residual ),  out = saturate(roundTiesToEven(y / s_out) + z_out)
//     S[k] = attr "exact_weight_scales" (float64 tensor [K]) when present, else the weight's scale;
//     B[k] = attr "exact_bias" (float64 tensor [K]) when present, else bias[k] (0 when absent).
//     fold_batchnorm sets both attrs: s_w·γ/√(σ²+ε) and the folded bias rounded to float32 would move y by
//     ~6e-8 relative. A float output is (float)y.
//   QuantizeLinear: q = saturate(roundTiesToEven((double)x / s) + z).
//   Requantize: q = saturate(roundTiesToEven((q_in − z_in)·s_in / s_out) + z_out) in double.
//   AveragePool / GlobalAveragePool with a quantized output: the window mean of the dequantized inputs in
//     double, then quantized as above.
// A backend that cannot compute a node this way must refuse it in supports() (naming --exact), never run it
// in float32.
// An absent optional operand is kNoValue in Node::inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace qatrt {

enum class Op : uint16_t {
#define QATRT_OP(name, text) k##name,
#include "ir/ops.def"
#undef QATRT_OP
  kCount
};

std::string_view op_name(Op op);
std::optional<Op> op_from_name(std::string_view name);  // ONNX / printed name → Op
bool is_fused_op(Op op);                                // qatrt.* ops, never imported from ONNX
// Ops that only move values (Reshape, Flatten, Squeeze, Unsqueeze, Identity) ...
bool is_pure_reshape(Op op);
// ... and those that move or select values without arithmetic (MaxPool, Pad, Transpose, Concat, Relu, Clip):
// their outputs are some of their inputs (or constants), exact in every dtype.
bool is_data_movement(Op op);

}  // namespace qatrt
