// A oneDNN primitive with one source and one destination (pooling, softmax), both bound to the runtime's
// buffers on every run.
#pragma once

#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "backends/backend.h"

namespace qatrt::cpu {

class SrcDstKernel final : public Kernel {
 public:
  SrcDstKernel(const dnnl::engine& engine, const dnnl::primitive_desc& primitive_desc, std::string node,
               Layout layout);
  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override;

 private:
  std::string node_;
  Layout layout_;
  dnnl::stream stream_;
  dnnl::primitive primitive_;
  dnnl::memory src_, dst_;
};

}  // namespace qatrt::cpu
