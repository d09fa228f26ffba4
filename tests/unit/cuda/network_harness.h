// Harness for the CUDA backend's node and network tests: small graphs built node by node, run through
// Engine::create with backend "cuda" and with the reference backend (the oracle) on the same inputs, outputs
// compared element by element. Going through the engine covers the whole GPU path: the device schedule and
// arena, the NCHW → NHWC input reorder, channel padding, the pinned copies, the CUDA graph replay and the NCHW
// return of 4-D outputs.
#pragma once

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace qatrt::cuda_test {

// Why the CUDA engine cannot run here ("built without CUDA", "no CUDA device: ..."), or "" when it can.
std::string cuda_unavailable();
#define SKIP_WITHOUT_CUDA() \
  if (std::string why = ::qatrt::cuda_test::cuda_unavailable(); !why.empty()) GTEST_SKIP() << why

QuantParams per_tensor(float scale, int64_t zero_point = 0);

class GraphBuilder {
 public:
  ValueId input(DType dtype, Shape shape, std::optional<QuantParams> quant = std::nullopt);
  ValueId constant(Tensor tensor, std::optional<QuantParams> quant = std::nullopt);
  // Appends a node with one output, whose shape (and, unless `out_dtype` is given, dtype and quant) shape
  // inference fills; QConv / QGemm need out_dtype (and out_quant for an int8 output).
  ValueId node(Op op, std::vector<ValueId> inputs, std::map<std::string, AttrValue> attrs = {},
               std::optional<DType> out_dtype = std::nullopt, std::optional<QuantParams> out_quant = std::nullopt);
  ValueId quantize(ValueId x, float scale, int64_t zero_point = 0);  // QuantizeLinear to int8
  void output(ValueId id) { graph.outputs.push_back(id); }
  Status status() const { return status_; }  // the first error of node()

  Graph graph;

 private:
  Status status_;
};

Tensor random_float(const Shape& shape, std::mt19937& rng, float lo = -1.f, float hi = 1.f);
Tensor random_int8(const Shape& shape, std::mt19937& rng, int lo = -128, int hi = 127);

// Runs `graph` (static shapes; batch = the first input's dim 0) on the cuda and reference engines with
// `inputs`; "" when every output matches — integers exactly, floats within tolerance · max(1, max |reference|)
// (tolerance 0: bit for bit) — else what differs, with the first mismatches.
std::string compare_with_reference(const Graph& graph, const std::vector<Tensor>& inputs, double tolerance);
// The same with `gpu_graph` on cuda and `reference_graph` on the reference backend: a graph rewritten for the GPU
// (e.g. converted to float16) against the float32 graph it came from, outputs alike in number, dtype and shape.
std::string compare_graphs(const Graph& gpu_graph, const Graph& reference_graph, const std::vector<Tensor>& inputs,
                           double tolerance);

}  // namespace qatrt::cuda_test
