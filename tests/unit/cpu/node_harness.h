// Harness for CPU kernel tests: a graph with one node and concrete shapes, run on any backend with its 4-D
// activations in the layout that backend asks for (converted here from NCHW, and outputs back to NCHW), so a
// test can run the CPU kernel and the reference kernel on the same node and the same logical data.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "ir/graph.h"

namespace qatrt::cpu_test {

QuantParams per_tensor(float scale, int64_t zero_point = 0);
// Symmetric weight parameters: one scale per output channel along axis 0, or scales[0] for the whole tensor.
QuantParams weight_quant(const std::vector<float>& scales, bool per_channel);

class NodeGraph {
 public:
  explicit NodeGraph(Op op, std::map<std::string, AttrValue> attrs = {});

  ValueId input(DType dtype, Shape shape, std::optional<QuantParams> quant = std::nullopt);
  ValueId constant(Tensor tensor, std::optional<QuantParams> quant = std::nullopt);
  void absent();
  ValueId output(DType dtype, Shape shape, std::optional<QuantParams> quant = std::nullopt);
  // An output whose dtype and shape come from shape inference (ir/shape_inference.h).
  Status infer_output();

  Graph graph;
  const Node& node() const { return graph.nodes.at(0); }
  Node& node() { return graph.nodes.at(0); }
};

// Runs the graph's node on `backend`. `inputs` holds one NCHW tensor per present non-constant input, in the
// node's input order; constants come from the graph. Returns the outputs in NCHW.
StatusOr<std::vector<Tensor>> run_on(Backend& backend, const Graph& graph, const std::vector<Tensor>& inputs);

Tensor nchw_to_nhwc(const Tensor& nchw);  // same logical shape, channels-last bytes
Tensor nhwc_to_nchw(const Tensor& nhwc);

// Uniform integers over the whole range of an int8/uint8 type, or uniform floats in [lo, hi).
Tensor random_quantized(DType type, Shape shape, std::mt19937& rng);
Tensor random_float(Shape shape, std::mt19937& rng, float lo = -1.f, float hi = 1.f);

// Element-wise comparison of two tensors of the same dtype and shape.
struct Comparison {
  int64_t count = 0;       // elements compared
  int64_t different = 0;   // elements that differ at all
  int64_t beyond = 0;      // elements beyond the allowed bound
  double max_abs_diff = 0;
  std::string first_beyond;  // "at [n,c,h,w]: got g, want w" for the first element beyond the bound
};
// Integers: allowed = max_lsb. Floats: allowed = tolerance · max(1, max |want|).
Comparison compare(const Tensor& got, const Tensor& want, double allowed);
std::string describe(const Comparison& c);

// Runs the graph's node on the reference backend (the oracle, want) and on `backend` (got) with the same inputs
// and compares their first outputs as compare() does; a failed run is an error naming the backend it came from.
StatusOr<Comparison> compare_with_reference(Backend& backend, Backend& reference, const Graph& graph,
                                            const std::vector<Tensor>& inputs, double allowed);

std::string shape_text(const Shape& shape);
float max_abs(const Tensor& t);

}  // namespace qatrt::cpu_test
