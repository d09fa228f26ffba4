// The epilogue variants shared by the QConv and QGemm sweeps: activation type and zero point, weight scale
// granularity, bias, residual kind, relu, output type and zero point.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "core/dtype.h"

namespace qatrt::cpu_test {

enum class Residual { kNone, kInt8, kUInt8, kFloat };

struct Epilogue {
  DType x_type;
  int64_t x_zero;
  bool per_channel;
  bool bias;
  Residual residual;
  int64_t residual_zero;
  bool relu;
  DType out_type;
  int64_t out_zero;
  bool saturate;  // choose s_out so that a good share of the outputs saturates
  std::string text() const {
    static const char* residual_names[] = {"none", "int8", "uint8", "float"};
    std::ostringstream o;
    o << "x " << dtype_name(x_type) << " z" << x_zero << ", w " << (per_channel ? "per-channel" : "per-tensor")
      << ", bias " << bias << ", residual " << residual_names[static_cast<int>(residual)] << " z" << residual_zero
      << ", relu " << relu << ", out " << dtype_name(out_type) << " z" << out_zero << ", saturate " << saturate;
    return o.str();
  }
};

inline constexpr DType kS8 = DType::kInt8, kU8 = DType::kUInt8, kF32 = DType::kFloat32;
inline const std::vector<Epilogue> kEpilogues = {
    {kS8, 0, true, true, Residual::kNone, 0, true, kS8, 0, false},      // ResNet conv + relu
    {kS8, 0, true, true, Residual::kInt8, 0, true, kS8, 0, false},      // ResNet residual block end
    {kU8, 128, true, true, Residual::kNone, 0, false, kU8, 128, false},  // uint8 with zero point 128
    {kU8, 0, false, false, Residual::kInt8, 5, true, kU8, 0, false},
    {kS8, 0, true, true, Residual::kFloat, 0, true, kS8, 0, false},
    {kS8, 0, true, true, Residual::kFloat, 0, false, kF32, 0, false},
    {kS8, -7, true, true, Residual::kNone, 0, false, kF32, 0, false},    // int8 with a zero point
    {kU8, 128, true, true, Residual::kUInt8, 128, true, kU8, 3, false},
    {kS8, 0, false, true, Residual::kNone, 0, false, kS8, 10, true},
    {kS8, 3, true, false, Residual::kInt8, -9, false, kF32, 0, false},
};

}  // namespace qatrt::cpu_test
