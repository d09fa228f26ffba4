// Build-time preparation of a QConv for the GPU INT8 convolution (GUIDE §3.8: done once, stored in the plan):
// the weight reordered from ONNX's KCRS to KRSC with C padded to a multiple of 32, and the per-channel
// epilogue scale s_x·s_w[k] formed in float exactly as the reference epilogue forms it.
#pragma once

#include <cstdint>
#include <vector>

namespace qatrt::cuda {

// Channel count the kernel reads: c rounded up to a multiple of 32 (the stem's C = 3 becomes 32).
int padded_channels(int c);

// w_kcrs: [k, c, r, s] int8 (ONNX Conv weight, group 1). Returns [k, r, s, padded_channels(c)] with the padding
// channels 0 — they meet the activations' padding channels, which are 0 too, so they add nothing.
std::vector<int8_t> pack_weights_krsc(const int8_t* w_kcrs, int k, int c, int r, int s);

// The same weight for a convolution run as a GEMM over im2col rows (im2col.h): [k, padded_channels(r·s·c)],
// column (ri·s + si)·c + ci, padding columns 0.
std::vector<int8_t> pack_weights_im2col(const int8_t* w_kcrs, int k, int c, int r, int s);

// scale[k] = s_x · s_w[k] (one float multiplication, like the reference backend's epilogue).
std::vector<float> epilogue_scales(float x_scale, const std::vector<float>& w_scales);

}  // namespace qatrt::cuda
