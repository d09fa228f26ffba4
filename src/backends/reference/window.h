// Sliding-window geometry of Conv, the fused convolutions and the pooling ops, normalised to three spatial
// dimensions (D, H, W) so one loop nest serves 1-D, 2-D and 3-D ops: missing leading spatial dims have size 1,
// kernel 1, stride 1 and no padding.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::reference {

struct Window {
  using Dims = std::array<int64_t, 3>;
  Dims in{1, 1, 1}, out{1, 1, 1}, kernel{1, 1, 1}, stride{1, 1, 1}, dilation{1, 1, 1};
  Dims pad_begin{0, 0, 0}, pad_end{0, 0, 0};

  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t kernel_size() const { return kernel[0] * kernel[1] * kernel[2]; }
  // Input coordinate of output position o and kernel tap t along spatial dim d (may fall in the padding).
  int64_t input_coordinate(int d, int64_t o, int64_t t) const {
    return o * stride[d] - pad_begin[d] + t * dilation[d];
  }
};

// Reads strides, dilations, pads (computing them from auto_pad when a node still has one and no pads) and
// ceil_mode from the node. x_shape is [N, C, spatial...]; kernel_shape has one entry per spatial dim. The
// output size is computed from the ONNX formula and must equal y_shape's spatial dims, so a kernel never
// disagrees silently with shape inference.
StatusOr<Window> make_window(const Node& node, const Shape& x_shape, const std::vector<int64_t>& kernel_shape,
                             const Shape& y_shape);

// Output positions o in [begin, end) whose input coordinate o·stride + offset lies in [0, in): the innermost
// loops run over this range instead of testing every position against the padding.
struct OutputRange {
  int64_t begin = 0, end = 0;
};
OutputRange valid_outputs(int64_t in, int64_t out, int64_t stride, int64_t offset);

// Convolution operands: x [N, C, spatial...], w [K, C/group, kernel...].
struct ConvShape {
  int64_t batch = 1, in_channels = 1, out_channels = 1, group = 1;
  Window window;
  int64_t in_channels_per_group() const { return in_channels / group; }
  int64_t out_channels_per_group() const { return out_channels / group; }
};

// Conv, FusedConv and QConv: x = input 0, w = input 1 (a constant), y = output 0; checks the channel counts
// against group.
StatusOr<ConvShape> make_conv_shape(const Graph& graph, const Node& node);

}  // namespace qatrt::reference
