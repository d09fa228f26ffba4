// IR → ONNX (opset 13, IR version 7) — the way a QAT-trained or imported graph leaves qatrt.
//
// Any graph of ONNX ops exports; qatrt's fused ops (qatrt.FusedConv, QConv, … made by the build passes) have
// no ONNX form and are refused: export before building. What the writer undoes or chooses:
//   * QuantizeLinear / DequantizeLinear get their scale and zero point back as initializers (0-d for
//     per-tensor, 1-D with the "axis" attribute for per-axis); the zero point's type (int8 / uint8) is the Q's
//     output_dtype or the DQ input's type.
//   * Weights, chosen by ExportOptions::weights:
//       kInt8          int8 initializer → DequantizeLinear (ONNX Runtime's QDQ format). A float constant that
//                      feeds a QuantizeLinear is quantized here, exactly as the Q node would.
//       kFloatWithQdq  float initializer → QuantizeLinear → DequantizeLinear (TensorRT's / pytorch-quantization
//                      "sampleQAT" format). An int8 constant read by a DQ is written dequantized, followed by a
//                      Q that gives back exactly the same integers.
//   * A dynamic batch dimension is written as dim_param "N"; value and node names are kept; every
//     intermediate value gets a value_info with its inferred type and shape.
#pragma once

#include <string>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

enum class WeightFormat { kInt8, kFloatWithQdq };

// "int8" or "float" (the CLI's --weights values).
StatusOr<WeightFormat> parse_weight_format(const std::string& text);

struct ExportOptions {
  WeightFormat weights = WeightFormat::kInt8;
  std::string producer_name = "qatrt";
};

// Serialized ModelProto.
StatusOr<std::string> export_onnx_bytes(const Graph& graph, const ExportOptions& options);
// Writes the model to `path`.
Status export_onnx(const Graph& graph, const std::string& path, const ExportOptions& options);

}  // namespace qatrt
