// Host code only (nvcc compiles it into qatrt_cuda with the kernels it prepares for).
#include "backends/cuda/conv_int8_prepare.h"

namespace qatrt::cuda {

int padded_channels(int c) { return (c + 31) / 32 * 32; }

std::vector<int8_t> pack_weights_krsc(const int8_t* w_kcrs, int k, int c, int r, int s) {
  const int cp = padded_channels(c);
  std::vector<int8_t> packed(static_cast<size_t>(k) * r * s * cp, 0);
  for (int ko = 0; ko < k; ++ko)
    for (int ci = 0; ci < c; ++ci)
      for (int ri = 0; ri < r; ++ri)
        for (int si = 0; si < s; ++si)
          packed[((static_cast<size_t>(ko) * r + ri) * s + si) * cp + ci] =
              w_kcrs[((static_cast<size_t>(ko) * c + ci) * r + ri) * s + si];
  return packed;
}

std::vector<int8_t> pack_weights_im2col(const int8_t* w_kcrs, int k, int c, int r, int s) {
  const int row = padded_channels(r * s * c);
  std::vector<int8_t> packed(static_cast<size_t>(k) * row, 0);
  for (int ko = 0; ko < k; ++ko)
    for (int ci = 0; ci < c; ++ci)
      for (int ri = 0; ri < r; ++ri)
        for (int si = 0; si < s; ++si)
          packed[static_cast<size_t>(ko) * row + (ri * s + si) * c + ci] =
              w_kcrs[((static_cast<size_t>(ko) * c + ci) * r + ri) * s + si];
  return packed;
}

std::vector<float> epilogue_scales(float x_scale, const std::vector<float>& w_scales) {
  std::vector<float> scales;
  scales.reserve(w_scales.size());
  for (float w_scale : w_scales) scales.push_back(x_scale * w_scale);
  return scales;
}

}  // namespace qatrt::cuda
