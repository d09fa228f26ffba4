// Graph section reader: the inverse of graph_encoder.cc (record layouts drawn there). Nothing read from the
// file is trusted: counts are checked against the bytes left, ids against the value count, tensor extents
// against the weights section, names against the op / dtype / precision tables.
#include <cstring>
#include <limits>

#include "plan/byte_io.h"
#include "plan/graph_codec.h"
#include "plan/plan_format.h"

namespace qatrt {
namespace {

constexpr uint32_t kMaxRank = 16;

std::optional<DType> dtype_from_name(const std::string& name) {
  for (int i = 0; i < 256; ++i) {
    auto type = static_cast<DType>(i);
    if (dtype_name(type) == "?") continue;
    if (dtype_name(type) == name) return type;
  }
  return std::nullopt;
}

std::optional<Precision> precision_from_name(const std::string& name) {
  for (int i = 0; i < 256; ++i) {
    auto p = static_cast<Precision>(i);
    if (precision_name(p) != "?" && precision_name(p) == name) return p;
  }
  return std::nullopt;
}

class GraphDecoder {
 public:
  GraphDecoder(std::span<const uint8_t> graph_bytes, std::span<const uint8_t> weights)
      : in_(graph_bytes, "graph section"), weights_(weights) {}

  StatusOr<Graph> decode() {
    Graph g;
    uint32_t count = 0;
    in_.string(g.name, "graph name");
    // A value record is at least 4+4+4+1+1 bytes (empty name and dtype, rank 0, no quant, no constant).
    if (in_.count(count, 14, "value count")) {
      g.values.resize(count);
      for (Value& v : g.values)
        if (!read_value(v)) break;
    }
    read_ids(g.inputs, g.values.size(), false, "graph input");
    read_ids(g.outputs, g.values.size(), false, "graph output");
    // A node record is at least 8 u32s: 4 string lengths and 4 counts.
    if (in_.count(count, 32, "node count")) {
      g.nodes.resize(count);
      for (Node& n : g.nodes)
        if (!read_node(n, g.values.size())) break;
    }
    if (in_.ok() && in_.remaining() != 0)
      in_.fail(std::to_string(in_.remaining()) + " unexpected bytes after the last node");
    if (!in_.ok()) return in_.status();
    return g;
  }

 private:
  bool read_dtype(DType& type, const char* field) {
    std::string name;
    if (!in_.string(name, field)) return false;
    auto found = dtype_from_name(name);
    if (!found) return in_.fail(std::string("unknown ") + field + " '" + name + "'");
    type = *found;
    return true;
  }

  bool read_shape(Shape& shape, int64_t min_dim) {
    uint32_t rank = 0;
    if (!in_.count(rank, 8, "rank")) return false;
    if (rank > kMaxRank) return in_.fail("rank " + std::to_string(rank) + " exceeds " + std::to_string(kMaxRank));
    shape.resize(rank);
    for (int64_t& d : shape) {
      if (!in_.i64(d, "dimension")) return false;
      if (d < min_dim) return in_.fail("dimension " + std::to_string(d) + " is below " + std::to_string(min_dim));
    }
    return true;
  }

  bool read_tensor(Tensor& tensor, const std::string& owner) {
    DType type{};
    Shape shape;
    uint64_t offset = 0, nbytes = 0;
    if (!read_dtype(type, "tensor dtype") || !read_shape(shape, 0) || !in_.u64(offset, "tensor offset") ||
        !in_.u64(nbytes, "tensor size"))
      return false;
    // numel · element size, refusing overflow: any dimension product beyond the weights section is corrupt.
    uint64_t expected = dtype_size(type);
    for (int64_t d : shape) {
      if (d != 0 && expected > weights_.size() / static_cast<uint64_t>(d)) {
        expected = std::numeric_limits<uint64_t>::max();
        break;
      }
      expected *= static_cast<uint64_t>(d);
    }
    if (expected != nbytes)
      return in_.fail(owner + ": " + std::string(dtype_name(type)) + shape_to_string(shape) + " needs " +
                      std::to_string(expected) + " bytes, the record says " + std::to_string(nbytes));
    if (offset % plan_format::kAlignment != 0 || offset > weights_.size() || nbytes > weights_.size() - offset)
      return in_.fail(owner + ": bytes [" + std::to_string(offset) + ", +" + std::to_string(nbytes) +
                      ") are not a 64-byte aligned range inside the " + std::to_string(weights_.size()) +
                      "-byte weights section");
    tensor = Tensor(type, shape);
    if (nbytes) std::memcpy(tensor.raw(), weights_.data() + offset, nbytes);
    return true;
  }

  bool read_value(Value& v) {
    uint8_t has_quant = 0, has_constant = 0;
    if (!in_.string(v.name, "value name") || !read_dtype(v.dtype, "value dtype") ||
        !read_shape(v.shape, kDynamicDim) || !in_.u8(has_quant, "quant flag"))
      return false;
    if (has_quant > 1) return in_.fail("value '" + v.name + "': quant flag " + std::to_string(has_quant));
    if (has_quant) {
      QuantParams q;
      uint32_t n = 0;
      if (!in_.count(n, 4, "scale count")) return false;
      q.scales.resize(n);
      for (float& s : q.scales)
        if (!in_.f32(s, "scale")) return false;
      if (!in_.count(n, 8, "zero point count")) return false;
      q.zero_points.resize(n);
      for (int64_t& z : q.zero_points)
        if (!in_.i64(z, "zero point")) return false;
      if (!in_.i64(q.axis, "quant axis")) return false;
      v.quant = std::move(q);
    }
    if (!in_.u8(has_constant, "constant flag")) return false;
    if (has_constant > 1) return in_.fail("value '" + v.name + "': constant flag " + std::to_string(has_constant));
    if (has_constant) {
      Tensor t;
      if (!read_tensor(t, "constant '" + v.name + "'")) return false;
      // Kernels size their reads from the value; its constant must hold exactly that.
      if (t.dtype() != v.dtype || t.shape() != v.shape)
        return in_.fail("value '" + v.name + "' is " + std::string(dtype_name(v.dtype)) + shape_to_string(v.shape) +
                        " but its constant is " + std::string(dtype_name(t.dtype())) + shape_to_string(t.shape()));
      v.constant = std::move(t);
    }
    return true;
  }

  bool read_ids(std::vector<ValueId>& ids, size_t value_count, bool allow_absent, const char* field) {
    uint32_t n = 0;
    if (!in_.count(n, 4, field)) return false;
    ids.resize(n);
    for (ValueId& id : ids) {
      if (!in_.i32(id, field)) return false;
      bool absent_ok = allow_absent && id == kNoValue;
      if (!absent_ok && (id < 0 || static_cast<size_t>(id) >= value_count))
        return in_.fail(std::string(field) + " id " + std::to_string(id) + " is outside [0, " +
                        std::to_string(value_count) + ")");
    }
    return true;
  }

  bool read_attr(Node& n) {
    std::string key, type;
    if (!in_.string(key, "attribute name") || !in_.string(type, "attribute type")) return false;
    AttrValue value;
    uint32_t count = 0;
    if (type == "int") {
      int64_t x = 0;
      if (!in_.i64(x, "int attribute")) return false;
      value = x;
    } else if (type == "float") {
      float x = 0;
      if (!in_.f32(x, "float attribute")) return false;
      value = x;
    } else if (type == "string") {
      std::string x;
      if (!in_.string(x, "string attribute")) return false;
      value = std::move(x);
    } else if (type == "ints") {
      if (!in_.count(count, 8, "ints attribute length")) return false;
      std::vector<int64_t> x(count);
      for (int64_t& e : x)
        if (!in_.i64(e, "ints attribute")) return false;
      value = std::move(x);
    } else if (type == "floats") {
      if (!in_.count(count, 4, "floats attribute length")) return false;
      std::vector<float> x(count);
      for (float& e : x)
        if (!in_.f32(e, "floats attribute")) return false;
      value = std::move(x);
    } else if (type == "tensor") {
      Tensor x;
      if (!read_tensor(x, "node '" + n.name + "' attribute '" + key + "'")) return false;
      value = std::move(x);
    } else {
      return in_.fail("node '" + n.name + "' attribute '" + key + "' has unknown type '" + type + "'");
    }
    if (!n.attrs.emplace(key, std::move(value)).second)
      return in_.fail("node '" + n.name + "' has attribute '" + key + "' twice");
    return true;
  }

  bool read_node(Node& n, size_t value_count) {
    std::string op, precision;
    uint32_t count = 0;
    if (!in_.string(n.name, "node name") || !in_.string(op, "op name")) return false;
    auto found = op_from_name(op);
    if (!found) return in_.fail("node '" + n.name + "' has unknown op '" + op + "' (plan from a newer qatrt?)");
    n.op = *found;
    if (!read_ids(n.inputs, value_count, true, "node input") ||
        !read_ids(n.outputs, value_count, false, "node output") || !in_.count(count, 8, "attribute count"))
      return false;
    for (uint32_t i = 0; i < count; ++i)
      if (!read_attr(n)) return false;
    if (!in_.string(precision, "precision")) return false;
    auto p = precision_from_name(precision);
    if (!p) return in_.fail("node '" + n.name + "' has unknown precision '" + precision + "'");
    n.precision = *p;
    if (!in_.string(n.precision_reason, "precision reason") || !in_.count(count, 4, "fused_from count"))
      return false;
    n.fused_from.resize(count);
    for (std::string& s : n.fused_from)
      if (!in_.string(s, "fused_from name")) return false;
    return true;
  }

  ByteReader in_;
  std::span<const uint8_t> weights_;
};

}  // namespace

StatusOr<Graph> decode_graph(std::span<const uint8_t> graph_bytes, std::span<const uint8_t> weights_bytes) {
  return GraphDecoder(graph_bytes, weights_bytes).decode();
}

}  // namespace qatrt
