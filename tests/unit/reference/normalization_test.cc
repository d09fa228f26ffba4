// BatchNormalization (inference) and Softmax.
#include <cmath>

#include "one_node.h"

namespace qatrt::testing {
namespace {

TEST(BatchNormalization, PerChannelAffine) {
  OneNode t(Op::kBatchNormalization, {{"epsilon", 0.0f}});
  t.input(DType::kFloat32, {1, 2, 2});
  t.constant(Tensor::from_vector<float>({2}, {2, 1}));     // scale
  t.constant(Tensor::from_vector<float>({2}, {0, 10}));    // B
  t.constant(Tensor::from_vector<float>({2}, {1, 0}));     // mean
  t.constant(Tensor::from_vector<float>({2}, {4, 0.25f}));  // var
  auto out = t.run({Tensor::from_vector<float>({1, 2, 2}, {1, 3, 1, -1})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  // ch0: (x − 1)/2·2 = x − 1;  ch1: x/0.5 + 10
  EXPECT_EQ(values_of<float>((*out)[0]), (std::vector<float>{0, 2, 12, 8}));
}

TEST(Softmax, LastAxisAndAxisOne) {
  OneNode t(Op::kSoftmax);
  t.input(DType::kFloat32, {2, 2});
  auto out = t.run({Tensor::from_vector<float>({2, 2}, {0, 0, 1000, 1001})});
  ASSERT_TRUE(out.ok()) << out.status().to_string();
  auto v = values_of<float>((*out)[0]);
  EXPECT_FLOAT_EQ(v[0], 0.5f);
  EXPECT_FLOAT_EQ(v[1], 0.5f);
  const double e = std::exp(1.0);
  EXPECT_NEAR(v[2], 1 / (1 + e), 1e-6);  // large inputs do not overflow
  EXPECT_NEAR(v[3], e / (1 + e), 1e-6);

  OneNode a(Op::kSoftmax, {{"axis", int64_t{0}}});
  a.input(DType::kFloat32, {2, 1});
  auto y = a.run({Tensor::from_vector<float>({2, 1}, {1, 1})});
  ASSERT_TRUE(y.ok());
  EXPECT_EQ(values_of<float>((*y)[0]), (std::vector<float>{0.5f, 0.5f}));
}

}  // namespace
}  // namespace qatrt::testing
