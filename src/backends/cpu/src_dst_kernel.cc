#include "backends/cpu/src_dst_kernel.h"

#include "backends/cpu/dnnl_util.h"

namespace qatrt::cpu {

SrcDstKernel::SrcDstKernel(const dnnl::engine& engine, const dnnl::primitive_desc& primitive_desc, std::string node,
                           Layout layout)
    : node_(std::move(node)),
      layout_(layout),
      stream_(engine),
      primitive_(primitive_desc),
      src_(unbound_memory(primitive_desc.src_desc(), engine)),
      dst_(unbound_memory(primitive_desc.dst_desc(), engine)) {}

Status SrcDstKernel::run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) {
  QATRT_RETURN_IF_ERROR(expect_layout(inputs[0], layout_, node_, "input"));
  QATRT_RETURN_IF_ERROR(expect_layout(outputs[0], layout_, node_, "output"));
  try {
    src_.set_data_handle(inputs[0].data);
    dst_.set_data_handle(outputs[0].data);
    primitive_.execute(stream_, {{DNNL_ARG_SRC, src_}, {DNNL_ARG_DST, dst_}});
    stream_.wait();
  } catch (const dnnl::error& e) {
    return dnnl_failure(node_ + ": running the oneDNN primitive", e);
  }
  return {};
}

}  // namespace qatrt::cpu
