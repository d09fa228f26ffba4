// Host code only (nvcc compiles it into qatrt_cuda beside the kernel whose limits it states).
#include "backends/cuda/conv_int8_support.h"

#include <sstream>

namespace qatrt::cuda {
namespace {

const char* type_name(DType type) {  // dtype_name() returns a std::string_view; keep this file free of qatrt_core
  switch (type) {
    case DType::kFloat32: return "float32";
    case DType::kInt8: return "int8";
    case DType::kUInt8: return "uint8";
    default: return "a non-quantized integer type";
  }
}

constexpr const char* kRemedy = "; run this node on the CPU backend";

}  // namespace

std::string qconv_unsupported_reason(const QConvDescription& conv) {
  std::ostringstream why;
  if (conv.spatial_dims != 2) {
    why << "the GPU INT8 convolution is 2-D only, this one has " << conv.spatial_dims << " spatial dims";
  } else if (conv.group != 1) {
    why << "group " << conv.group << " is not supported on the GPU (only group 1)";
  } else if (conv.dilation_h != 1 || conv.dilation_w != 1) {
    why << "dilation " << conv.dilation_h << "x" << conv.dilation_w << " is not supported on the GPU (only 1x1)";
  } else if (conv.x_type != DType::kInt8 || conv.w_type != DType::kInt8) {
    why << "input " << type_name(conv.x_type) << " and weight " << type_name(conv.w_type)
        << " must both be int8 on the GPU";
  } else if (conv.x_zero_point != 0) {
    why << "input zero point " << conv.x_zero_point << " is not 0: the GPU path is symmetric only";
  } else if (conv.has_residual && conv.residual_type != DType::kInt8 && conv.residual_type != DType::kFloat32) {
    why << "residual " << type_name(conv.residual_type) << " must be int8 or float32 on the GPU";
  } else if (conv.has_residual && conv.residual_type == DType::kInt8 && conv.residual_zero_point != 0) {
    why << "residual zero point " << conv.residual_zero_point << " is not 0: the GPU path is symmetric only";
  } else if (conv.output_type != DType::kInt8 && conv.output_type != DType::kFloat32) {
    why << "output " << type_name(conv.output_type) << " must be int8 or float32 on the GPU";
  } else if (conv.output_type == DType::kInt8 && conv.output_zero_point != 0) {
    why << "output zero point " << conv.output_zero_point << " is not 0: the GPU path is symmetric only";
  } else {
    for (size_t k = 0; k < conv.w_zero_points.size(); ++k) {
      if (conv.w_zero_points[k] != 0) {
        why << "weight zero point " << conv.w_zero_points[k] << " (channel " << k
            << ") is not 0: the GPU path is symmetric only";
        break;
      }
    }
  }
  if (why.tellp() > 0) why << kRemedy;
  return why.str();
}

}  // namespace qatrt::cuda
