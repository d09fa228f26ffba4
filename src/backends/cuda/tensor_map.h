// TMA descriptors (CUtensorMap) for the Hopper kernels, encoded on the host by the driver's
// cuTensorMapEncodeTiled. The driver function is looked up through the runtime's entry-point query
// (cudaGetDriverEntryPointByVersion), so nothing links against libcuda: the binaries still start, and the
// Hopper tiles are simply unavailable, where the driver lacks the function.
#pragma once

#include <cstdint>

#include <cuda.h>
#include <cuda_runtime.h>

namespace qatrt::cuda {

// Whether cuTensorMapEncodeTiled could be found (looked up once per process).
bool tensor_maps_available();

// A row-major int8 matrix of `rows` rows of `row_bytes` bytes (row_bytes a multiple of 16, base 16-byte
// aligned), copied in boxes of box_rows rows × box_row_bytes bytes into shared memory with the 64-byte
// swizzle (box_row_bytes <= 64; wgmma_int8.cuh draws the layout). Reads outside the matrix give zeros.
cudaError_t encode_s8_rows_swizzle64(CUtensorMap* map, const void* base, uint64_t row_bytes, uint64_t rows,
                                     uint32_t box_row_bytes, uint32_t box_rows);

}  // namespace qatrt::cuda
