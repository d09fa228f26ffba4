#include "backends/cpu/dnnl_util.h"

namespace qatrt::cpu {

using dt = dnnl::memory::data_type;
using tag = dnnl::memory::format_tag;

dnnl::memory::data_type dnnl_type(DType type) {
  switch (type) {
    case DType::kFloat32: return dt::f32;
    case DType::kInt8: return dt::s8;
    case DType::kUInt8: return dt::u8;
    case DType::kInt32: return dt::s32;
    default: return dt::undef;
  }
}

dnnl::memory::dims dnnl_dims(const Shape& shape) { return dnnl::memory::dims(shape.begin(), shape.end()); }

dnnl::memory::desc buffer_desc(const Shape& shape, DType type, Layout layout) {
  if (shape.size() == 4 && layout == Layout::kNhwc) return {dnnl_dims(shape), dnnl_type(type), tag::nhwc};
  // Row-major strides; a scalar is described as one element.
  dnnl::memory::dims dims = shape.empty() ? dnnl::memory::dims{1} : dnnl_dims(shape);
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size() - 1; i-- > 0;) strides[i] = strides[i + 1] * dims[i + 1];
  return {dims, dnnl_type(type), strides};
}

dnnl::memory unbound_memory(const dnnl::memory::desc& desc, const dnnl::engine& engine) {
  return dnnl::memory(desc, engine, DNNL_MEMORY_NONE);
}

bool cpu_has_exact_int8_dot() {
  switch (dnnl::get_effective_cpu_isa()) {
    case dnnl::cpu_isa::avx512_core_vnni:
    case dnnl::cpu_isa::avx512_core_bf16:
    case dnnl::cpu_isa::avx512_core_amx:
    case dnnl::cpu_isa::avx2_vnni:
      return true;
    default:
      return false;
  }
}

Status dnnl_failure(const std::string& what, const dnnl::error& error) {
  return make_error(StatusCode::kInternal, what, ": oneDNN: ", error.what(), " (status ", static_cast<int>(error.status),
                    ")");
}

Status expect_layout(const TensorView& view, Layout layout, const std::string& node_description, const char* role) {
  if (view.shape.size() != 4 || view.layout == layout) return {};
  return make_error(StatusCode::kInternal, node_description, ": ", role, " arrived ",
                    view.layout == Layout::kNhwc ? "NHWC" : "NCHW", " but the CPU kernel asked for ",
                    layout == Layout::kNhwc ? "NHWC" : "NCHW", "; the runtime must honour layout_policy()");
}

}  // namespace qatrt::cpu
