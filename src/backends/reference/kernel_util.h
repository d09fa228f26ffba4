// Pieces shared by the reference kernels: a Kernel made from a function, operand checks that name the node,
// dtype dispatch, and index arithmetic (row-major strides, the channel of an element in either layout).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <vector>

#include "backends/backend.h"
#include "core/quant.h"
#include "core/status.h"
#include "ir/graph.h"

namespace qatrt::reference {

using KernelFunction = std::function<Status(std::span<const TensorView> inputs, std::span<const TensorView> outputs)>;

// Every reference kernel is a closure over what it read from the node at creation (attributes, constants,
// shapes); nothing else is needed per op, so no class per op.
class FunctionKernel final : public Kernel {
 public:
  explicit FunctionKernel(KernelFunction function) : function_(std::move(function)) {}
  Status run(std::span<const TensorView> inputs, std::span<const TensorView> outputs) override {
    return function_(inputs, outputs);
  }

 private:
  KernelFunction function_;
};

inline StatusOr<std::unique_ptr<Kernel>> make_kernel(KernelFunction function) {
  return std::unique_ptr<Kernel>(std::make_unique<FunctionKernel>(std::move(function)));
}

// Node input i is present (not kNoValue and within the list).
bool has_input(const Node& node, size_t i);
// Arity: min..max inputs (optional trailing ones may be absent) and exactly `outputs` outputs.
Status check_arity(const Node& node, size_t min_inputs, size_t max_inputs, size_t outputs);
// Operand `id` (called `role` in the message) has one of the allowed dtypes.
Status check_dtype(const Graph& graph, const Node& node, ValueId id, const char* role,
                   std::initializer_list<DType> allowed);
// The constant tensor of node input i, or an error asking for constant folding.
StatusOr<Tensor> constant_input(const Graph& graph, const Node& node, size_t i, const char* role);
// A negative axis counts from the end; the result is checked to lie in [0, rank).
StatusOr<int64_t> normalized_axis(const Node& node, int64_t axis, int64_t rank);
// The QuantParams of an int8/uint8 operand (Value::quant), or an error naming it.
StatusOr<QuantParams> operand_quant(const Graph& graph, const Node& node, ValueId id, const char* role);
// The scale/zero_point/axis attributes of QuantizeLinear / DequantizeLinear (see ops.h), checked: same
// lengths, positive finite scales, per-axis length equal to the input's dim along axis.
StatusOr<QuantParams> quant_attributes(const Node& node, const Shape& input_shape);

std::vector<int64_t> row_major_strides(const Shape& shape);

// Numpy broadcasting of an operand of shape `in` to `out` (rank(in) ≤ rank(out), dims equal or 1):
// element `flat` of the output reads element broadcast_index(flat) of the operand.
class BroadcastIndex {
 public:
  BroadcastIndex(const Shape& in, const Shape& out);
  int64_t operator()(int64_t flat) const;

 private:
  Shape out_;
  std::vector<int64_t> in_strides_;  // aligned to out's rank, 0 along broadcast dims
  bool identity_ = false;            // same shape: no arithmetic needed
};

// Maps a flat physical index of a tensor to its coordinate along one logical axis, honouring the physical
// layout: a 4-D NHWC buffer stores logical axis 1 (C) innermost.
struct AxisCoordinate {
  int64_t inner = 1;   // physical elements per step along the axis
  int64_t extent = 1;  // size of the axis
  int64_t operator()(int64_t flat_index) const { return (flat_index / inner) % extent; }
};
AxisCoordinate axis_coordinate(const Shape& logical_shape, Layout layout, int64_t axis);

// Calls body(T{}) with T the element type of `type`, for the types listed in the call site's checks.
template <typename Body>
Status visit_dtype(DType type, Body&& body) {
  switch (type) {
    case DType::kFloat32: return body(float{});
    case DType::kInt8: return body(int8_t{});
    case DType::kUInt8: return body(uint8_t{});
    case DType::kInt32: return body(int32_t{});
    case DType::kInt64: return body(int64_t{});
    case DType::kBool: return body(bool{});
    case DType::kFloat64: break;  // plans hold float64 only in attributes (--exact), never as a tensor to compute
    case DType::kFloat16: break;  // the host backends refuse float16 (--fp16) nodes: float16_refusal.h
  }
  return make_error(StatusCode::kInternal, "no kernel computes on ", dtype_name(type), " tensors");
}

// Calls body(T{}) with an unsigned integer type as wide as one element: data movement that only copies
// elements (Transpose, Pad, Concat…) need nothing more than the element size.
template <typename Body>
Status visit_element_size(DType type, Body&& body) {
  switch (dtype_size(type)) {
    case 1: return body(uint8_t{});
    case 2: return body(uint16_t{});
    case 4: return body(uint32_t{});
    case 8: return body(uint64_t{});
  }
  return make_error(StatusCode::kInternal, "unexpected element size ", dtype_size(type));
}

}  // namespace qatrt::reference
