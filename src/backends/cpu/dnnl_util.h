// Bridges between qatrt's types and oneDNN's: data types, memory descriptors for the buffers the runtime hands
// a kernel, the ISA check that keeps int8 results exact, and dnnl::error → Status.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "backends/backend.h"
#include "core/status.h"

namespace qatrt::cpu {

dnnl::memory::data_type dnnl_type(DType type);  // f32, s8, u8, s32; undef for the rest
dnnl::memory::dims dnnl_dims(const Shape& shape);

// Descriptor of a buffer with this logical shape: channels-last for a 4-D tensor in Layout::kNhwc, else plain
// row-major (a, ab, abc, abcd, ...).
dnnl::memory::desc buffer_desc(const Shape& shape, DType type, Layout layout);

// A memory object with no buffer yet: the kernel points it at the runtime's buffer on every run.
dnnl::memory unbound_memory(const dnnl::memory::desc& desc, const dnnl::engine& engine);

// oneDNN computes u8/s8 × s8 dot products exactly only with VNNI instructions (vpdpbusd). Without them its
// kernels pre-scale the weights by 1/2 to dodge int16 saturation, which breaks exact int32 accumulation.
bool cpu_has_exact_int8_dot();

// Status for a failed oneDNN call: "<what>: <oneDNN message> (status N)".
Status dnnl_failure(const std::string& what, const dnnl::error& error);

// A 4-D activation must arrive in the layout the kernel asked for; anything else is a runtime bug.
Status expect_layout(const TensorView& view, Layout layout, const std::string& node_description, const char* role);

}  // namespace qatrt::cpu
