// The optimization passes, one per file (the matched subgraph and the math are drawn at the top of each).
// Each rewrites the graph in place, appends one line per rewrite to PassContext::log, and leaves the nodes in
// topological order. Shapes of new values are refreshed by the pipeline's infer_shapes after every pass.
#pragma once

#include "passes/builder.h"
#include "passes/pass.h"

namespace qatrt {

// Q(float constant) → int8/uint8 constant carrying Value::quant.
Status fold_weight_qdq(Graph& graph, PassContext& context);
// Conv / Gemm / MatMul → BatchNormalization folded into weights (or per-channel weight scales) and bias.
Status fold_batchnorm(Graph& graph, PassContext& context);
// NHWC↔NCHW Transposes: cancel inverse pairs, sink through elementwise ops, fold into constants and reshapes.
Status sink_transposes(Graph& graph, PassContext& context);
// DQ forward / Q backward through data movement; DQ→Q pairs become Requantize (or vanish).
Status propagate_qdq(Graph& graph, PassContext& context);
// DQ→Conv(DQ w)→Add→Relu→Q → QConv, then Conv(+bias)(+Add)(+Relu) with float weights → FusedConv.
Status fuse_conv_epilogue(Graph& graph, PassContext& context);
// The same for Gemm / MatMul → QGemm, then FusedGemm.
Status fuse_gemm_epilogue(Graph& graph, PassContext& context);
// --fp32: drop activation Q→DQ pairs, dequantize constant weights once.
Status dequantize_for_fp32(Graph& graph, PassContext& context);
// --fp32 and --fake-quant: int8 constant → DQ becomes the float constant it stands for.
Status dequantize_weights(Graph& graph, PassContext& context);
// --fp16: float32 activations, weights and biases → float16, with Casts at the graph inputs and outputs.
Status convert_to_float16(Graph& graph, PassContext& context);
// --exact: marks every node that rounds to an integer with "exact_rounding" = 1 (src/ir/ops.h).
Status mark_exact_rounding(Graph& graph, PassContext& context);
// Drops nodes nobody reads and unreferenced values.
Status remove_dead_code(Graph& graph, PassContext& context);
// Last: every node gets Node::precision and a reason.
Status assign_precision(Graph& graph, PassContext& context, PrecisionMode mode);

}  // namespace qatrt
