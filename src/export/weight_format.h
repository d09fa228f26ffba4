// Rewrites a graph copy so its quantized weights have the form ExportOptions::weights asks for:
//
//   to int8:            w:f32 const ──► Q ──► DQ          ⇒   w_q:int8 const (quant) ──► DQ
//   to float with Q/DQ: w_q:int8 const (quant) ──► DQ     ⇒   w:f32 const ──► Q ──► w_q ──► DQ
//
// Both are exact: the int8 values are Q(w) computed with qatrt's Q arithmetic (core/quant.h), and
// Q(DQ(q)) = q because (q − z)·s / s differs from q − z by far less than the 0.5 that rounding needs.
#pragma once

#include "core/status.h"
#include "export/onnx_exporter.h"
#include "ir/graph.h"

namespace qatrt {

Status convert_weight_format(Graph& graph, WeightFormat format);

}  // namespace qatrt
