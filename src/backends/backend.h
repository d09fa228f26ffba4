// The backend interface. Every backend answers supports(node) (GUIDE §3.5): an unsupported node is a clear
// error or a recorded fallback, never a wrong answer. Kernels are created once per node for concrete shapes
// (expensive preparation — weight reorders, primitive creation — happens in create_kernel, not in run).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

// Physical layout of a 4-D activation buffer. The IR is always NCHW (shapes stay [N,C,H,W]); a kernel that
// asks for NHWC gets the same logical tensor stored channels-last. Tensors of other ranks are plain row-major.
enum class Layout : uint8_t { kNchw, kNhwc };

// What layout a kernel reads and writes for its 4-D activation (non-constant) inputs and outputs:
//   kNchw / kNhwc: that layout; the runtime reorders inputs that arrive in the other one.
//   kAny: layout-oblivious (elementwise on same-shape operands, Q/DQ, Relu): all 4-D inputs are given in one
//         layout (the first input's) and the outputs are written in that same layout.
enum class LayoutPolicy : uint8_t { kNchw, kNhwc, kAny };

// A non-owning view of a runtime buffer with concrete logical shape (NCHW order, like the IR).
struct TensorView {
  DType dtype = DType::kFloat32;
  Shape shape;
  void* data = nullptr;
  Layout layout = Layout::kNchw;  // physical order, meaningful for 4-D tensors only
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
  // Layout the kernel for this node reads/writes (see LayoutPolicy).
  virtual LayoutPolicy layout_policy(const Graph& graph, const Node& node) const = 0;
  // Graph has concrete shapes (batch bound). Constant inputs can be read from graph.value(id).constant.
  virtual StatusOr<std::unique_ptr<Kernel>> create_kernel(const Graph& graph, const Node& node) = 0;
};

}  // namespace qatrt
