// The builder: imported graph → optimized graph ready for a plan. Runs the pass pipeline for a precision
// mode, verifying after each pass, and records every layer's final precision and the reason.
#pragma once

#include <string>

#include "core/status.h"
#include "ir/graph.h"
#include "passes/pass.h"

namespace qatrt {

enum class PrecisionMode {
  kInt8,  // honour the model's Q/DQ: quantized layers run INT8, the rest FP32 (each with its reason)
  kFp32,  // ignore Q/DQ: weights dequantized once at build time, activations float (the speed baseline)
  kBest,  // = kInt8 on CPU today (the CUDA backend adds FP16)
  // Keep every activation Q/DQ pair and compute in float on the Q/DQ-rounded values (weights dequantized
  // once): the fake-quantized model QAT trains and ONNX Runtime's reference semantics, the oracle the int8
  // plan is compared with for accuracy.
  kFakeQuant,
  // kInt8 whose every rounding is exact (src/ir/ops.h, "Exact rounding"): its integers equal a float64
  // evaluation of the Q/DQ graph. Runs on the CPU and reference backends, slower than kInt8.
  kInt8Exact,
  // kFp32, then every float activation, weight and bias in float16 (src/ir/ops.h, "Float16"), converted from and
  // to float32 at the graph's inputs and outputs. Runs on the CUDA backend only.
  kFp16,
};

StatusOr<PrecisionMode> parse_precision_mode(const std::string& text);

Status optimize_graph(Graph& graph, PrecisionMode mode, PassContext& context);

}  // namespace qatrt
