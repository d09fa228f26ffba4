// The arguments of one INT8 implicit-GEMM convolution launch (conv_fprop_s8nhwc_s8krsc_s32acc.h), shared by
// the host launcher and the device kernel. Plain C++17 (nvcc compiles it too).
//
// Layouts: x is NHWC int8 with C already padded to a multiple of 32 (padding channels hold 0); w is KRSC int8
// with the same padded C (conv_int8_prepare.h packs it); y and an optional residual are NPQK (NHWC), i.e.
// row-major [M, K] with M = N·P·Q. Zero points are 0 everywhere (see conv_int8_support.h).
#pragma once

#include <cstdint>

// The geometry helpers are used on both sides; plain C++ compilers see ordinary member functions.
#ifdef __CUDACC__
#define QATRT_HOST_DEVICE __host__ __device__
#else
#define QATRT_HOST_DEVICE
#endif

namespace qatrt::cuda {

struct ConvGeometry {
  int n = 1, h = 1, w = 1, c = 32;  // input; c is the padded channel count (multiple of 32)
  int k = 1, r = 1, s = 1;          // output channels, filter height and width
  int stride_h = 1, stride_w = 1;
  int pad_h = 0, pad_w = 0;  // leading padding; trailing padding is implied by p and q
  int p = 1, q = 1;          // output height and width (from shape inference; reads outside x are 0)

  // Implicit GEMM: M = N·P·Q rows (output pixels), N = K columns, K = R·S·C reduction.
  QATRT_HOST_DEVICE int64_t gemm_m() const { return int64_t{n} * p * q; }
  QATRT_HOST_DEVICE int gemm_n() const { return k; }
  QATRT_HOST_DEVICE int64_t gemm_k() const { return int64_t{r} * s * c; }
  QATRT_HOST_DEVICE int64_t macs() const { return gemm_m() * gemm_n() * gemm_k(); }
};

enum class ConvResidual : uint8_t { kNone, kInt8, kFloat32 };
enum class ConvOutput : uint8_t { kInt8, kFloat32 };

// y = acc·scale[k] + bias[k] (+ residual) → relu? → int8 (roundTiesToEven(y / output_scale), saturated) | float
struct ConvEpilogue {
  const float* scale = nullptr;  // [K], device: s_x·s_w[k], formed in float on the host
  const float* bias = nullptr;   // [K], device, or nullptr
  ConvResidual residual_kind = ConvResidual::kNone;
  const void* residual = nullptr;  // [M, K] int8 or float, device
  float residual_scale = 1.0f;     // s_r of an int8 residual
  bool relu = false;
  ConvOutput output_kind = ConvOutput::kInt8;
  float output_scale = 1.0f;  // s_out of an int8 output
};

struct ConvFpropArgs {
  ConvGeometry geometry;
  const int8_t* x = nullptr;  // NHWC, device, 16-byte aligned
  const int8_t* w = nullptr;  // KRSC, device, 16-byte aligned
  ConvEpilogue epilogue;
  void* y = nullptr;  // [M, K] int8 or float, device
};

}  // namespace qatrt::cuda
