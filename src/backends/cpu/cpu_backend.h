// The CPU backend: INT8 convolution / GEMM with int32 accumulation and the fused epilogue (oneDNN, VNNI where
// the CPU has it), FP32 conv/GEMM, pooling and elementwise ops. Nodes it does not support are reported by
// supports() so the runtime can fall back to the reference backend with the reason recorded.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace qatrt {

std::unique_ptr<Backend> make_cpu_backend(const BackendOptions& options);

}  // namespace qatrt
