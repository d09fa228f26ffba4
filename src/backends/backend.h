// The backend interface. Every backend answers supports(node) (GUIDE §3.5): an unsupported node is a clear
// error or a recorded fallback, never a wrong answer. Kernels are created once per node for concrete shapes
// (expensive preparation — weight reorders, primitive creation — happens in create_kernel, not in run).
#pragma once

#include <memory>
#include <span>
#include <string_view>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

// A non-owning view of a runtime buffer with concrete shape (NCHW, row-major, like the IR).
struct TensorView {
  DType dtype = DType::kFloat32;
  Shape shape;
  void* data = nullptr;
  int64_t numel() const { return shape_numel(shape); }
  template <typename T> T* as() const { return static_cast<T*>(data); }
};

class Kernel {
 public:
  virtual ~Kernel() = default;
  // inputs follow Node::inputs (an absent optional input has data == nullptr); outputs follow Node::outputs.
  virtual Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) = 0;
};

struct BackendOptions {
  int threads = 0;  // 0 = all hardware threads
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string_view name() const = 0;
  // OK if this backend can run the node (graph shapes concrete); otherwise why not, naming the node.
  virtual Status supports(const Graph& graph, const Node& node) const = 0;
  // Graph has concrete shapes (batch bound). Constant inputs can be read from graph.value(id).constant.
  virtual StatusOr<std::unique_ptr<Kernel>> create_kernel(const Graph& graph, const Node& node) = 0;
};

}  // namespace qatrt
