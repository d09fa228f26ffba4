// Graph section writer. Record layouts (mirrored by graph_decoder.cc, documented in docs/plan-format.md):
//   graph   := name:str  values:u32 value*  inputs:u32 i32*  outputs:u32 i32*  nodes:u32 node*
//   value   := name:str dtype:str shape  has_quant:u8 [quant]  has_constant:u8 [tensor_ref]
//   shape   := rank:u32 i64*                                   (-1 = dynamic dimension)
//   quant   := n:u32 f32*  m:u32 i64*  axis:i64                 (scales, zero points)
//   tensor_ref := dtype:str shape offset:u64 nbytes:u64         (into the weights section)
//   node    := name:str op:str inputs:u32 i32* outputs:u32 i32* attrs:u32 attr* precision:str reason:str
//              fused_from:u32 str*
//   attr    := key:str type:str payload   type ∈ int(i64) float(f32) string(str) ints(u32 i64*)
//                                                  floats(u32 f32*) tensor(tensor_ref)
#include <type_traits>

#include "plan/byte_io.h"
#include "plan/graph_codec.h"
#include "plan/plan_format.h"

namespace qatrt {
namespace {

class GraphEncoder {
 public:
  Status encode(const Graph& graph) {
    out_.string(graph.name);
    out_.u32(static_cast<uint32_t>(graph.values.size()));
    for (const Value& v : graph.values) QATRT_RETURN_IF_ERROR(write_value(v));
    write_ids(graph.inputs);
    write_ids(graph.outputs);
    out_.u32(static_cast<uint32_t>(graph.nodes.size()));
    for (const Node& n : graph.nodes) QATRT_RETURN_IF_ERROR(write_node(n));
    return Status::ok_status();
  }

  EncodedGraph take() { return {std::move(out_.bytes()), std::move(weights_.bytes())}; }

 private:
  void write_shape(const Shape& shape) {
    out_.u32(static_cast<uint32_t>(shape.size()));
    for (int64_t d : shape) out_.i64(d);
  }

  void write_ids(const std::vector<ValueId>& ids) {
    out_.u32(static_cast<uint32_t>(ids.size()));
    for (ValueId id : ids) out_.i32(id);
  }

  Status write_tensor(const Tensor& t, const std::string& owner) {
    if (t.empty() || !shape_is_static(t.shape()))
      return make_error(StatusCode::kInvalidArgument, "cannot store ", owner, ": tensor ",
                        shape_to_string(t.shape()), " has no data or a dynamic shape");
    weights_.pad_to(plan_format::kAlignment);
    out_.string(std::string(dtype_name(t.dtype())));
    write_shape(t.shape());
    out_.u64(weights_.size());
    out_.u64(t.nbytes());
    weights_.raw({static_cast<const uint8_t*>(t.raw()), t.nbytes()});
    return Status::ok_status();
  }

  Status write_value(const Value& v) {
    out_.string(v.name);
    out_.string(std::string(dtype_name(v.dtype)));
    write_shape(v.shape);
    out_.u8(v.quant.has_value());
    if (v.quant) {
      out_.u32(static_cast<uint32_t>(v.quant->scales.size()));
      for (float s : v.quant->scales) out_.f32(s);
      out_.u32(static_cast<uint32_t>(v.quant->zero_points.size()));
      for (int64_t z : v.quant->zero_points) out_.i64(z);
      out_.i64(v.quant->axis);
    }
    out_.u8(v.constant.has_value());
    if (!v.constant) return Status::ok_status();
    if (v.constant->dtype() != v.dtype || v.constant->shape() != v.shape)
      return make_error(StatusCode::kInvalidArgument, "value '", v.name, "' is ", dtype_name(v.dtype),
                        shape_to_string(v.shape), " but its constant is ", dtype_name(v.constant->dtype()),
                        shape_to_string(v.constant->shape()), "; the pass that changed one must change both");
    return write_tensor(*v.constant, "constant '" + v.name + "'");
    return Status::ok_status();
  }

  Status write_attr(const Node& node, const std::string& key, const AttrValue& value) {
    out_.string(key);
    return std::visit(
        [&](const auto& a) -> Status {
          using T = std::decay_t<decltype(a)>;
          if constexpr (std::is_same_v<T, int64_t>) {
            out_.string("int");
            out_.i64(a);
          } else if constexpr (std::is_same_v<T, float>) {
            out_.string("float");
            out_.f32(a);
          } else if constexpr (std::is_same_v<T, std::string>) {
            out_.string("string");
            out_.string(a);
          } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
            out_.string("ints");
            out_.u32(static_cast<uint32_t>(a.size()));
            for (int64_t x : a) out_.i64(x);
          } else if constexpr (std::is_same_v<T, std::vector<float>>) {
            out_.string("floats");
            out_.u32(static_cast<uint32_t>(a.size()));
            for (float x : a) out_.f32(x);
          } else {
            static_assert(std::is_same_v<T, Tensor>, "new AttrValue type: add it here and in graph_decoder.cc");
            out_.string("tensor");
            return write_tensor(a, node.describe() + " attribute '" + key + "'");
          }
          return Status::ok_status();
        },
        value);
  }

  Status write_node(const Node& n) {
    out_.string(n.name);
    out_.string(std::string(op_name(n.op)));
    write_ids(n.inputs);
    write_ids(n.outputs);
    out_.u32(static_cast<uint32_t>(n.attrs.size()));
    for (const auto& [key, value] : n.attrs) QATRT_RETURN_IF_ERROR(write_attr(n, key, value));
    out_.string(std::string(precision_name(n.precision)));
    out_.string(n.precision_reason);
    out_.u32(static_cast<uint32_t>(n.fused_from.size()));
    for (const std::string& s : n.fused_from) out_.string(s);
    return Status::ok_status();
  }

  ByteWriter out_;
  ByteWriter weights_;
};

}  // namespace

StatusOr<EncodedGraph> encode_graph(const Graph& graph) {
  GraphEncoder encoder;
  QATRT_RETURN_IF_ERROR(encoder.encode(graph));
  return encoder.take();
}

}  // namespace qatrt
