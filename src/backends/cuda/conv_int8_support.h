// Which QConv nodes (src/ir/ops.h) the GPU INT8 convolution runs: the part of the contract this kernel keeps.
//   * 2-D, group 1, dilation 1, any kernel size, strides and pads;
//   * x int8, w int8, residual int8 | float | none, output int8 | float;
//   * every zero point 0 (x, each w channel, residual, output): the GPU path is symmetric only. A non-zero
//     x zero point would need the padding filled with z_x and a per-channel correction Σ z_x·q_w; the kernel
//     has neither, so such nodes must be refused here (and run on another backend), never run wrongly.
// The CUDA backend's supports(graph, node) fills a QConvDescription from the node and turns a non-empty
// reason into its Status, prefixed with node.describe().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace qatrt::cuda {

struct QConvDescription {
  int spatial_dims = 2;
  int64_t group = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  DType x_type = DType::kInt8;
  int64_t x_zero_point = 0;
  std::vector<int64_t> w_zero_points;  // one, or one per output channel
  DType w_type = DType::kInt8;
  bool has_residual = false;
  DType residual_type = DType::kInt8;
  int64_t residual_zero_point = 0;  // when residual_type is quantized
  DType output_type = DType::kInt8;
  int64_t output_zero_point = 0;  // when output_type is quantized
};

// "" when the GPU INT8 convolution can run the node; otherwise what is off, with the offending values and a
// remedy.
std::string qconv_unsupported_reason(const QConvDescription& conv);

}  // namespace qatrt::cuda
