// The direct convolution loop nest shared by Conv / FusedConv (float) and QConv (int32 accumulators):
//   acc[n, k, o] += Σ_{c ∈ group(k), t ∈ kernel} (x[n, c, o·stride − pad + t·dilation] − x_zero) · (w[k, c, t] − w_zero[k])
// Taps that land in the padding are skipped: they contribute 0 in the zero-point-subtracted domain, which is
// zero padding for float and the QConv contract (padding reads q_x = z_x) for int8.
// Everything NCHW (N, C, D, H, W with the window's normalised spatial dims).
#pragma once

#include <cstdint>
#include <vector>

#include "backends/reference/window.h"

namespace qatrt::reference {

// acc must hold batch · out_channels · out_size elements, zero on entry. w_zero has out_channels entries.
template <typename Acc, typename X, typename W>
void convolve(const ConvShape& s, const X* x, Acc x_zero, const W* w, const std::vector<Acc>& w_zero, Acc* acc) {
  const Window& win = s.window;
  const int64_t c_per_group = s.in_channels_per_group();
  const int64_t k_per_group = s.out_channels_per_group();
  for (int64_t n = 0; n < s.batch; ++n) {
    for (int64_t k = 0; k < s.out_channels; ++k) {
      const int64_t group = k / k_per_group;
      Acc* out = acc + (n * s.out_channels + k) * win.out_size();
      for (int64_t cg = 0; cg < c_per_group; ++cg) {
        const int64_t c = group * c_per_group + cg;
        const X* in = x + (n * s.in_channels + c) * win.in_size();
        const W* taps = w + (k * c_per_group + cg) * win.kernel_size();
        for (int64_t td = 0; td < win.kernel[0]; ++td) {
          for (int64_t th = 0; th < win.kernel[1]; ++th) {
            for (int64_t tw = 0; tw < win.kernel[2]; ++tw) {
              const Acc weight = static_cast<Acc>(taps[(td * win.kernel[1] + th) * win.kernel[2] + tw]) - w_zero[k];
              const OutputRange ow = valid_outputs(win.in[2], win.out[2], win.stride[2],
                                                   tw * win.dilation[2] - win.pad_begin[2]);
              for (int64_t od = 0; od < win.out[0]; ++od) {
                const int64_t id = win.input_coordinate(0, od, td);
                if (id < 0 || id >= win.in[0]) continue;
                for (int64_t oh = 0; oh < win.out[1]; ++oh) {
                  const int64_t ih = win.input_coordinate(1, oh, th);
                  if (ih < 0 || ih >= win.in[1]) continue;
                  const X* in_row = in + (id * win.in[1] + ih) * win.in[2];
                  Acc* out_row = out + (od * win.out[1] + oh) * win.out[2];
                  for (int64_t o = ow.begin; o < ow.end; ++o)
                    out_row[o] += (static_cast<Acc>(in_row[win.input_coordinate(2, o, tw)]) - x_zero) * weight;
                }
              }
            }
          }
        }
      }
    }
  }
}

}  // namespace qatrt::reference
