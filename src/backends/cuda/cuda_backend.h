// The CUDA backend: which nodes run on the GPU (supports) and their kernels, which enqueue on one stream and
// read and write device memory in the layout of device_layout.h. It is driven by the CUDA execution context
// (src/runtime/cuda/), which owns the stream, the device arena and the host copies; the host runtime's
// schedule cannot drive it (its buffers live in host memory).
//
// Runs: QConv and QGemm (INT8 tensor cores, symmetric), FusedConv and FusedGemm (float32 and float16, cuDNN),
// QuantizeLinear / DequantizeLinear (per-tensor int8), Cast (float32 ↔ float16), MaxPool (int8, float32,
// float16), GlobalAveragePool (float32, float16), Softmax (innermost axis), and Identity / Flatten / Reshape /
// Squeeze / Unsqueeze as views. Anything else is refused with the reason; there is no host fallback.
#pragma once

#include <memory>

#include <cuda_runtime.h>

#include "backends/backend.h"

namespace qatrt::cuda {

// Kernels made by this backend enqueue on `stream` (which the caller keeps alive longer than them).
std::unique_ptr<Backend> make_cuda_backend(cudaStream_t stream);

// Node is a view (check_view in node_kernels.h may still refuse it): its output aliases its input.
bool is_view_op(Op op);

}  // namespace qatrt::cuda
