// Keras → IR weight layouts. Keras stores conv kernels HWIO [kh,kw,in,out] and Dense kernels [in,units];
// the IR (like ONNX) wants OIHW [out,in,kh,kw] and Gemm's B as [units,in] with transB=1.
#pragma once

#include "core/tensor.h"

namespace qatrt {

Tensor hwio_to_oihw(const Tensor& hwio);
Tensor transpose_2d(const Tensor& matrix);

}  // namespace qatrt
