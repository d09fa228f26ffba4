// Gemm (transA / transB / alpha / beta / C broadcast), FusedGemm, MatMul (batch broadcast, 1-D operands):
// small hand-computed cases.
#include "one_node.h"

namespace qatrt::testing {
namespace {

const Tensor kA = Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6});

TEST(Gemm, PlainProduct) {
  OneNode t(Op::kGemm);
  t.input(DType::kFloat32, {2, 3});
  t.constant(Tensor::from_vector<float>({3, 2}, {1, 0, 0, 1, 1, 1}));
  auto out = t.run({kA});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{4, 5, 10, 11}));
}

TEST(Gemm, TransposesAlphaBetaAndRowBroadcastC) {
  OneNode t(Op::kGemm, {{"transA", int64_t{1}}, {"transB", int64_t{1}}, {"alpha", 2.0f}, {"beta", 0.5f}});
  t.input(DType::kFloat32, {3, 2});                                       // Aᵀ stored: A = [[1,3,5],[2,4,6]]
  t.constant(Tensor::from_vector<float>({2, 3}, {1, 1, 1, 0, 1, 0}));    // B stored [N,K]
  t.constant(Tensor::from_vector<float>({2}, {10, 20}));                 // C [N]
  auto out = t.run({Tensor::from_vector<float>({3, 2}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  // A·Bᵀ = [[9, 3], [12, 4]] → ·2 + 0.5·[10, 20]
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{23, 16, 29, 18}));
}

TEST(Gemm, ColumnBroadcastC) {
  OneNode t(Op::kGemm);
  t.input(DType::kFloat32, {2, 3});
  t.constant(Tensor::from_vector<float>({3, 1}, {1, 1, 1}));
  t.constant(Tensor::from_vector<float>({2, 1}, {100, 200}));
  auto out = t.run({kA});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{106, 215}));
}

TEST(FusedGemm, WeightRowsBiasResidualRelu) {
  OneNode t(Op::kFusedGemm, {{"relu", int64_t{1}}});
  t.input(DType::kFloat32, {2, 3});
  t.constant(Tensor::from_vector<float>({2, 3}, {1, 0, 0, 0, 0, -1}));  // [N, K]
  t.constant(Tensor::from_vector<float>({2}, {0.5f, 1}));
  t.input(DType::kFloat32, {2, 2});
  // a·wᵀ = [[1, −3], [4, −6]] + bias → [[1.5, −2], [4.5, −5]] + residual [[−2, 10], [0, 0]] → relu
  auto out = t.run({kA, Tensor::from_vector<float>({2, 2}, {-2, 10, 0, 0})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{0, 8, 4.5f, 0}));
}

TEST(MatMul, BatchBroadcast) {
  OneNode t(Op::kMatMul);
  t.input(DType::kFloat32, {2, 1, 2});  // two 1×2 rows
  t.input(DType::kFloat32, {2, 3});     // shared by both batches
  auto out = t.run({Tensor::from_vector<float>({2, 1, 2}, {1, 0, 0, 1}),
                    Tensor::from_vector<float>({2, 3}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2, 1, 3}));
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{1, 2, 3, 4, 5, 6}));
}

TEST(MatMul, VectorOperands) {
  OneNode t(Op::kMatMul);
  t.input(DType::kFloat32, {3});
  t.input(DType::kFloat32, {3, 2});
  auto out = t.run({Tensor::from_vector<float>({3}, {1, 1, 1}), Tensor::from_vector<float>({3, 2}, {1, 2, 3, 4, 5, 6})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  EXPECT_EQ((*out)[0].shape(), (Shape{2}));
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{9, 12}));

  OneNode dot(Op::kMatMul);
  dot.input(DType::kFloat32, {2, 3});
  dot.input(DType::kFloat32, {3});
  auto y = dot.run({kA, Tensor::from_vector<float>({3}, {1, 0, -1})});
  ASSERT_TRUE(y.ok()) << y.status().to_string();
  EXPECT_EQ(values_of<float>((*y)[0]), (std::vector<float>{-2, -2}));
}

}  // namespace
}  // namespace qatrt::testing
