// The QAT / PTQ recipe as an IR pass (NVIDIA's placement for TensorRT, as in pytorch-quantization):
// Q→DQ at the input and (per-channel) weight of every Conv and Gemm/MatMul, at every MaxPool input, and at the
// residual (identity) input of every Add that joins a conv branch. One Q→DQ pair per distinct activation
// tensor: quantizers reading the same tensor would calibrate to the same range anyway, and one pair lets the
// producing layer write int8 once for all its consumers.
//
//      x ──► Conv ──►        becomes        x ──► Q(s_x) ──► DQ ──► Conv ──►
//      W ──┘                                 W ──► Q(s_w[k], axis 0) ──► DQ ──┘
//
// Weight scales are max|W_k| / 127 (per output channel), final at insertion. Activation scales start at 1
// and are set by calibration (set_activation_ranges) — a graph with uncalibrated quantizers is refused there.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

struct QdqRecipe {
  bool conv_inputs = true;
  bool conv_weights = true;
  bool gemm_inputs = true;
  bool gemm_weights = true;
  bool maxpool_inputs = true;
  bool residual_inputs = true;
  std::set<std::string> skip_nodes;  // node names to leave in float
};

struct PlacedQuantizer {
  std::string tensor;     // the float value quantized
  std::string role;       // e.g. "input of conv1", "weight of fc1000 (per-channel, axis 0)"
  bool is_weight = false;
  size_t channels = 1;    // per-channel scale count (1 = per-tensor)
};

// Marks each activation Q node with this attribute (value: the observed tensor's name) until calibrated.
inline constexpr const char* kUncalibratedAttr = "qatrt_uncalibrated";

StatusOr<std::vector<PlacedQuantizer>> insert_qdq(Graph& graph, const QdqRecipe& recipe);

// Names of the activation tensors whose ranges calibration must measure.
std::vector<std::string> tensors_to_calibrate(const Graph& graph);

// amax per tensor name → scale = amax/127 on its Q and DQ nodes (and the Q output's Value::quant).
// Every uncalibrated quantizer must get a range; an amax of 0 (an all-zero tensor) gets scale 1/127.
Status set_activation_ranges(Graph& graph, const std::map<std::string, float>& amax);

}  // namespace qatrt
