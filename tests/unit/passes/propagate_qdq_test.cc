#include <gtest/gtest.h>

#include "backends/reference/reference_backend.h"
#include "pass_test_util.h"
#include "passes/passes.h"

namespace qatrt::testing {
namespace {

const QuantParams kA = per_tensor(0.0625f, 3);
const QuantParams kB = per_tensor(0.125f, -2);

ValueId max_pool(GraphBuilder& b, ValueId x) {
  return b.node(Op::kMaxPool, "pool", {x},
                {{"kernel_shape", std::vector<int64_t>{3, 3}}, {"strides", std::vector<int64_t>{2, 2}},
                 {"pads", std::vector<int64_t>{1, 1, 1, 1}}});
}

// The brief's example: Q_a → DQ_a → MaxPool → Q_b → DQ_b → Conv becomes
// Q_a → MaxPool(int8) → Requantize(a→b) → DQ_b → Conv.
TEST(PropagateQdq, MaxPoolRunsInt8AndTheDqQPairBecomesRequantize) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 7, 7});
  ValueId pooled = max_pool(b, b.dequantize(b.quantize(x, kA, DType::kInt8, "q_a"), kA, "dq_a"));
  ValueId d = b.dequantize(b.quantize(pooled, kB, DType::kInt8, "q_b"), kB, "dq_b");
  b.output(b.conv("conv", d, b.weight("w", {3, 2, 1, 1}, per_tensor(0.5f))));
  Graph before = b.finish();
  Graph after = before;
  PassContext context;
  ASSERT_TRUE(apply_pass(after, propagate_qdq, &context).ok());
  SCOPED_TRACE(dump(after));
  const Node* pool = find_op(after, Op::kMaxPool);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(after.value(pool->inputs[0]).dtype, DType::kInt8);
  EXPECT_EQ(count_ops(after, Op::kRequantize), 1);
  EXPECT_EQ(count_ops(after, Op::kQuantizeLinear), 1);
  EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 2);  // dq_b and the weight's
  const Node* requantize = find_op(after, Op::kRequantize);
  EXPECT_EQ(after.value(requantize->inputs[0]).quant, kA);
  EXPECT_EQ(after.value(requantize->outputs[0]).quant, kB);
  expect_equivalent(before, after, /*exact=*/true, "maxpool requantize");
}

TEST(PropagateQdq, EqualParametersVanishAndUint8IsKept) {
  for (DType type : {DType::kInt8, DType::kUInt8}) {
    SCOPED_TRACE(dtype_name(type));
    QuantParams p = type == DType::kUInt8 ? per_tensor(0.05f, 128) : per_tensor(0.05f, 0);
    GraphBuilder b;
    ValueId x = b.input("x", {2, 3, 4, 4});
    ValueId r = b.node(Op::kReshape, "reshape",
                       {b.dequantize(b.quantize(x, p, type), p), b.constant("s", Tensor::from_vector<int64_t>({2}, {2, 48}))});
    b.output(b.dequantize(b.quantize(r, p, type, "q2"), p, "dq2"));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, propagate_qdq).ok());
    EXPECT_EQ(count_ops(after, Op::kQuantizeLinear), 1) << dump(after);
    EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 1) << dump(after);
    EXPECT_EQ(count_ops(after, Op::kRequantize), 0);
    EXPECT_EQ(after.value(find_op(after, Op::kReshape)->outputs[0]).dtype, type);
    expect_equivalent(before, after, true, "vanish");
  }
}

TEST(PropagateQdq, PadMovesOnlyWhenItsValueIsExactlyRepresentable) {
  struct Case {
    float value;
    bool moves;
  };
  // 0 → the zero point; 0.1875 = 3·0.0625 → z + 3; 0.1 is not a multiple of the scale.
  for (Case c : {Case{0.0f, true}, Case{0.1875f, true}, Case{0.1f, false}}) {
    SCOPED_TRACE("pad value " + std::to_string(c.value));
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 3, 3});
    ValueId pads = b.constant("pads", Tensor::from_vector<int64_t>({8}, {0, 0, 1, 1, 0, 0, 1, 1}));
    ValueId value = b.constant("value", Tensor::scalar(c.value));
    ValueId padded = b.node(Op::kPad, "pad", {b.dequantize(b.quantize(x, kA), kA), pads, value});
    b.output(b.conv("conv", padded, b.weight("w", {2, 2, 3, 3}, per_tensor(0.25f))));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, propagate_qdq).ok());
    const Node* pad = find_op(after, Op::kPad);
    EXPECT_EQ(after.value(pad->inputs[0]).dtype, c.moves ? DType::kInt8 : DType::kFloat32) << dump(after);
    expect_equivalent(before, after, true, "pad");
  }
}

TEST(PropagateQdq, QuantizeMovesBackwardThroughDataMovementButNotRelu) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 4, 6, 6});
  ValueId y = b.conv("conv", x, b.float_constant("w", {4, 4, 1, 1}, -1, 1, 0.125f));
  ValueId relu = b.node(Op::kRelu, "relu", {y});
  ValueId pooled = max_pool(b, relu);
  ValueId flat = b.node(Op::kFlatten, "flatten", {pooled});
  b.output(b.dequantize(b.quantize(flat, kB), kB));
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, propagate_qdq).ok());
  SCOPED_TRACE(dump(after));
  // Conv → Relu → Q → MaxPool(int8) → Flatten(int8) → DQ: the Q stops after the Relu (the conv epilogue).
  const Node* q = find_op(after, Op::kQuantizeLinear);
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->inputs[0], relu);
  EXPECT_EQ(after.value(find_op(after, Op::kMaxPool)->inputs[0]).dtype, DType::kInt8);
  EXPECT_EQ(after.value(find_op(after, Op::kFlatten)->inputs[0]).dtype, DType::kInt8);
  expect_equivalent(before, after, true, "Q backward");
}

TEST(PropagateQdq, SharedDqStaysForItsOtherReaders) {
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 5, 5});
  ValueId d = b.dequantize(b.quantize(x, kA), kA);
  b.output(max_pool(b, d));
  b.output(b.node(Op::kSoftmax, "softmax", {d}));
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, propagate_qdq).ok());
  EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 2) << dump(after);
  EXPECT_EQ(after.value(find_op(after, Op::kMaxPool)->inputs[0]).dtype, DType::kInt8);
  expect_equivalent(before, after, true, "shared DQ");
}

TEST(PropagateQdq, ReluMovesOnlyWithZeroPointZero) {
  for (int64_t zero_point : {5, 0}) {  // 0 last: its numerical check may be skipped
    SCOPED_TRACE("zero point " + std::to_string(zero_point));
    QuantParams p = per_tensor(0.0625f, zero_point);
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 3, 3});
    ValueId relu = b.node(Op::kRelu, "relu", {b.dequantize(b.quantize(x, p), p)});
    b.output(b.conv("conv", relu, b.weight("w", {2, 2, 1, 1}, per_tensor(0.25f))));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, propagate_qdq).ok());
    DType expected = zero_point == 0 ? DType::kInt8 : DType::kFloat32;
    const Node* relu_node = find_op(after, Op::kRelu);
    EXPECT_EQ(after.value(relu_node->inputs[0]).dtype, expected) << dump(after);
    // The int8 Relu is max(q, z) (the CPU backend has it); the oracle must have it too to compare numbers.
    if (Status s = make_reference_backend()->supports(after, *relu_node); !s.ok())
      GTEST_SKIP() << "numerical check skipped: " << s.to_string();
    expect_equivalent(before, after, true, "relu");
  }
}

TEST(PropagateQdq, TwinQuantizersMergeSoTheProducerCanFuseTheQ) {
  // A block output read by the next conv and by the residual add, each through its own Q/DQ with equal
  // parameters (torch exports one quantizer per consumer); a third Q with other parameters stays.
  GraphBuilder b;
  ValueId x = b.input("x", {1, 2, 4, 4});
  ValueId relu = b.node(Op::kRelu, "relu", {b.conv("conv", x, b.float_constant("w", {2, 2, 1, 1}, -1, 1, 0.125f))});
  ValueId to_conv = b.dequantize(b.quantize(relu, kA, DType::kInt8, "q_conv"), kA);
  ValueId to_add = b.dequantize(b.quantize(relu, kA, DType::kInt8, "q_residual"), kA);
  ValueId other = b.dequantize(b.quantize(relu, kB, DType::kInt8, "q_other"), kB);
  b.output(b.node(Op::kAdd, "add", {b.conv("next", to_conv, b.weight("w2", {2, 2, 1, 1}, per_tensor(0.25f))), to_add}));
  b.output(other);
  Graph before = b.finish();
  Graph after = before;
  ASSERT_TRUE(apply_pass(after, propagate_qdq).ok());
  SCOPED_TRACE(dump(after));
  EXPECT_EQ(count_ops(after, Op::kQuantizeLinear), 2);
  // The DQs of the merged Q are twins too: one is left for both readers.
  EXPECT_EQ(count_ops(after, Op::kDequantizeLinear), 3);
  expect_equivalent(before, after, true, "twins");
}

TEST(PropagateQdq, LeavesDqsThatAreNotPlainActivations) {
  struct Case {
    std::string name;
    std::function<ValueId(GraphBuilder&, ValueId)> dequantized;
  };
  const Case cases[] = {
      {"DQ parameters differ from the value's quant",
       [](GraphBuilder& b, ValueId x) { return b.dequantize(b.quantize(x, kA), kB); }},
      {"per-axis activation",
       [](GraphBuilder& b, ValueId x) {
         QuantParams p = per_axis({0.5f, 0.25f}, 1);
         return b.dequantize(b.quantize(x, p), p);
       }},
      {"dequantized constant (a weight)",
       [](GraphBuilder& b, ValueId) {
         return b.dequantize(b.int_constant("c", {1, 2, 5, 5}, DType::kInt8, kA), kA);
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    GraphBuilder b;
    ValueId x = b.input("x", {1, 2, 5, 5});
    b.output(max_pool(b, c.dequantized(b, x)));
    Graph before = b.finish();
    Graph after = before;
    ASSERT_TRUE(apply_pass(after, propagate_qdq).ok());
    EXPECT_EQ(after.value(find_op(after, Op::kMaxPool)->inputs[0]).dtype, DType::kFloat32) << dump(after);
    expect_equivalent(before, after, true, c.name);
  }
}

}  // namespace
}  // namespace qatrt::testing
