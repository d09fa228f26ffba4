// NCHW → NHWC copy on the GPU for 1- and 4-byte elements, padding the channels with zero bytes: how a 4-D graph
// input (given NCHW by the caller) reaches a kernel that reads the CUDA backend's layout (device_layout.h).
#pragma once

#include <cstdint>

#include <cuda_runtime.h>

namespace qatrt::cuda {

// x: [n, c, h·w]; y: [n, h·w, padded_c], channels c..padded_c−1 zero. element_size: 1 or 4.
cudaError_t nchw_to_nhwc(const void* x, void* y, int n, int c, int64_t pixels, int padded_c, int element_size,
                         cudaStream_t stream);

}  // namespace qatrt::cuda
