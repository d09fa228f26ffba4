#include "ir/ops.h"

#include <array>

namespace qatrt {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(Op::kCount)> kOpNames = {
#define QATRT_OP(name, text) text,
#include "ir/ops.def"
#undef QATRT_OP
};
static_assert(static_cast<size_t>(Op::kCount) == 30, "op added: update docs/ops.md, docs/adding-an-op.md checklist");

}  // namespace

std::string_view op_name(Op op) {
  auto i = static_cast<size_t>(op);
  return i < kOpNames.size() ? kOpNames[i] : "?";
}

std::optional<Op> op_from_name(std::string_view name) {
  for (size_t i = 0; i < kOpNames.size(); ++i)
    if (kOpNames[i] == name) return static_cast<Op>(i);
  return std::nullopt;
}

bool is_fused_op(Op op) { return op_name(op).starts_with("qatrt."); }

bool is_pure_reshape(Op op) {
  return op == Op::kReshape || op == Op::kFlatten || op == Op::kSqueeze || op == Op::kUnsqueeze ||
         op == Op::kIdentity;
}

bool is_data_movement(Op op) {
  return op == Op::kMaxPool || op == Op::kPad || op == Op::kTranspose || op == Op::kConcat || op == Op::kRelu ||
         op == Op::kClip;
}

}  // namespace qatrt
