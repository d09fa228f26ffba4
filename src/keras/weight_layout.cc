#include "keras/weight_layout.h"

namespace qatrt {

Tensor hwio_to_oihw(const Tensor& hwio) {
  const Shape& s = hwio.shape();
  const int64_t kh = s[0], kw = s[1], ci = s[2], co = s[3];
  Tensor oihw(DType::kFloat32, {co, ci, kh, kw});
  const float* in = hwio.data<float>();
  float* out = oihw.data<float>();
  for (int64_t h = 0; h < kh; ++h)
    for (int64_t w = 0; w < kw; ++w)
      for (int64_t i = 0; i < ci; ++i)
        for (int64_t o = 0; o < co; ++o) out[((o * ci + i) * kh + h) * kw + w] = in[((h * kw + w) * ci + i) * co + o];
  return oihw;
}

Tensor transpose_2d(const Tensor& matrix) {
  const int64_t rows = matrix.shape()[0], cols = matrix.shape()[1];
  Tensor result(DType::kFloat32, {cols, rows});
  const float* in = matrix.data<float>();
  float* out = result.data<float>();
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) out[c * rows + r] = in[r * cols + c];
  return result;
}

}  // namespace qatrt
