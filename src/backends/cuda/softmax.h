// Softmax over the last axis of a float [rows, cols] tensor on the GPU (ONNX Softmax-13 with the softmax axis
// innermost): y = exp(x − max) / Σ exp(x − max), one thread block per row. expf and the tree-ordered sums
// differ from the host's std::exp and sequential sum by a few ulp: compare with a tolerance, not bits. The
// float16 version computes the same in float32 and rounds each probability to float16.
#pragma once

#include <cstdint>

#include <cuda_fp16.h>
#include <cuda_runtime.h>

namespace qatrt::cuda {

cudaError_t softmax_rows_f32(const float* x, float* y, int64_t rows, int cols, cudaStream_t stream);
cudaError_t softmax_rows_f16(const __half* x, __half* y, int64_t rows, int cols, cudaStream_t stream);

}  // namespace qatrt::cuda
