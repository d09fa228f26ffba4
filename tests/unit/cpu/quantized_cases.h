// The QConv and QGemm cases the sweeps run (conv_test.cc, gemm_test.cc, exact_rounding_test.cc): the shapes
// (convolution geometries, GEMM sizes), the node graphs, and one random case per (shape, epilogue, seed) with
// its activation inputs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "epilogue_cases.h"
#include "node_harness.h"

namespace qatrt::cpu_test {

struct ConvGeometry {
  int64_t n, c, k, h, w, r, s, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right, dilation_h, dilation_w,
      group;
  Shape output_shape() const {
    auto out = [](int64_t in, int64_t kernel, int64_t stride, int64_t pads, int64_t dilation) {
      return (in + pads - ((kernel - 1) * dilation + 1)) / stride + 1;
    };
    return {n, k, out(h, r, stride_h, pad_top + pad_bottom, dilation_h), out(w, s, stride_w, pad_left + pad_right,
                                                                              dilation_w)};
  }
  std::string text() const {
    std::ostringstream o;
    o << "N" << n << " C" << c << " K" << k << " HW" << h << "x" << w << " RS" << r << "x" << s << " stride "
      << stride_h << "," << stride_w << " pads " << pad_top << "," << pad_left << "," << pad_bottom << ","
      << pad_right << " dilation " << dilation_h << "," << dilation_w << " group " << group;
    return o.str();
  }
};

inline const std::vector<ConvGeometry> kGeometries = {
    // n  c   k   h   w  r  s sh sw pt pl pb pr dh dw  g
    {1, 3, 8, 15, 15, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1},      // ResNet stem shape, C = 3
    {1, 16, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},      // 3×3 same
    {2, 16, 32, 7, 7, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1},      // 1×1, batch 2
    {1, 16, 32, 9, 9, 1, 1, 2, 2, 0, 0, 0, 0, 1, 1, 1},      // 1×1 stride 2 (ResNet downsample)
    {1, 16, 16, 9, 10, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1},     // 3×3 stride 2, odd sizes
    {1, 8, 16, 7, 7, 3, 3, 1, 1, 0, 1, 1, 0, 1, 1, 1},       // asymmetric pads
    {1, 8, 8, 9, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2, 2, 1},        // dilation 2
    {1, 8, 8, 9, 9, 3, 3, 1, 2, 1, 0, 2, 1, 1, 2, 1},        // mixed strides / dilations / pads
    {1, 16, 16, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 2},      // 2 groups
    {1, 16, 16, 8, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 16},     // depthwise
    {1, 32, 32, 9, 9, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 32},     // depthwise stride 2
    {1, 8, 16, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 8},       // depthwise, multiplier 2
    {1, 5, 7, 6, 5, 3, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1},        // odd channels, 3×1 kernel
    {1, 64, 64, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1},      // wider channels (VNNI blocking)
    {1, 12, 24, 11, 11, 5, 5, 2, 2, 2, 2, 1, 1, 1, 1, 1},    // 5×5 stride 2, uneven end padding
    {2, 4, 4, 3, 3, 3, 3, 1, 1, 0, 0, 0, 0, 1, 1, 1},        // output 1×1
};

std::map<std::string, AttrValue> conv_attrs(const ConvGeometry& g, bool relu);

struct GemmSize {
  int64_t m, k, n;
  std::string text() const {
    std::ostringstream o;
    o << "M" << m << " K" << k << " N" << n;
    return o.str();
  }
};

inline const std::vector<GemmSize> kSizes = {{1, 7, 1}, {3, 64, 10}, {17, 33, 40}, {4, 256, 64}, {2, 2048, 1000}};

// The one-node QConv / QGemm graph of these operands (ops.x is the [M,K] operand a of a QGemm).
Graph qconv_graph(const ConvGeometry& g, const Epilogue& e, const QuantOperands& ops, DType out_type,
                  std::optional<QuantParams> out_quant, bool with_residual);
Graph qgemm_graph(const GemmSize& size, const Epilogue& e, const QuantOperands& ops, DType out_type,
                  std::optional<QuantParams> out_quant, bool with_residual);

// One random case of the sweeps: int8/uint8 operands over their whole range, weight scales in [0.002, 0.02), a
// bias and (via a float run on `reference`) an output scale and residual sized to the typical |acc·s_x·s_w|.
struct QuantizedCase {
  Graph graph;
  std::vector<Tensor> inputs;  // x, then the residual when the epilogue has one
};
StatusOr<QuantizedCase> qconv_case(const ConvGeometry& g, const Epilogue& e, uint32_t seed, Backend& reference);
StatusOr<QuantizedCase> qgemm_case(const GemmSize& size, const Epilogue& e, uint32_t seed, Backend& reference);

}  // namespace qatrt::cpu_test
