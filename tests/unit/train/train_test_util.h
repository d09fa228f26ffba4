// A small residual CNN with the recipe's Q/DQ (every op family the trainer runs on ResNet-50: Conv + bias,
// BN, Relu, asymmetric Pad, MaxPool, residual Add, GlobalAveragePool, Flatten, Gemm, Softmax) and an
// in-memory, seeded data set whose class is learnable from the image.
#pragma once

#include <random>

#include "passes/insert_qdq.h"
#include "train/training_data.h"
#include "unit/export/export_test_util.h"

namespace qatrt::train_test {

inline constexpr int64_t kClasses = 4;
inline constexpr int64_t kSide = 12;

inline Tensor random_tensor(Shape shape, uint64_t seed, float spread) {
  Tensor t(DType::kFloat32, std::move(shape));
  std::mt19937_64 rng(seed);
  for (float& v : t.values<float>()) v = spread * (static_cast<float>(rng() >> 40) / static_cast<float>(1 << 24) * 2.0f - 1.0f);
  return t;
}

inline Tensor filled(Shape shape, float value) {
  Tensor t(DType::kFloat32, std::move(shape));
  for (float& v : t.values<float>()) v = value;
  return t;
}

// Float model; `qdq` adds the recipe's quantizers with every activation range set to `amax`.
inline Graph small_cnn(bool qdq = true, float amax = 4.0f) {
  testing::GraphBuilder b;
  ValueId x = b.input("image", {kDynamicDim, 3, kSide, kSide});
  auto conv = [&](const std::string& name, ValueId in, int64_t cin, int64_t cout, int64_t k, std::vector<int64_t> pads, int64_t stride, uint64_t seed) {
    ValueId w = b.constant(name + "_w", random_tensor({cout, cin, k, k}, seed, 0.6f));
    ValueId bias = b.constant(name + "_b", random_tensor({cout}, seed + 1, 0.1f));
    return b.node(name, Op::kConv, {in, w, bias},
                  {{"kernel_shape", std::vector<int64_t>{k, k}}, {"pads", pads}, {"strides", std::vector<int64_t>{stride, stride}}});
  };
  auto bn = [&](const std::string& name, ValueId in, int64_t c, uint64_t seed) {
    ValueId gamma = b.constant(name + "_gamma", filled({c}, 1.0f));
    ValueId beta = b.constant(name + "_beta", random_tensor({c}, seed, 0.1f));
    ValueId mean = b.constant(name + "_mean", random_tensor({c}, seed + 1, 0.2f));
    ValueId var = b.constant(name + "_var", filled({c}, 1.5f));
    return b.node(name, Op::kBatchNormalization, {in, gamma, beta, mean, var}, {{"epsilon", 1e-3f}});
  };
  // Keras 'same' with stride 2 pads asymmetrically: [0,0,1,1].
  ValueId c1 = conv("conv1", x, 3, 8, 3, {0, 0, 1, 1}, 2, 11);
  ValueId r1 = b.node("relu1", Op::kRelu, {bn("bn1", c1, 8, 21)});
  ValueId pool = b.node("pool", Op::kMaxPool, {r1}, {{"kernel_shape", std::vector<int64_t>{2, 2}}, {"strides", std::vector<int64_t>{1, 1}}, {"pads", std::vector<int64_t>{0, 0, 1, 1}}});
  ValueId c2 = conv("conv2", pool, 8, 8, 3, {1, 1, 1, 1}, 1, 31);
  ValueId r2 = b.node("relu2", Op::kRelu, {bn("bn2", c2, 8, 41)});
  ValueId c3 = conv("conv3", r2, 8, 8, 1, {0, 0, 0, 0}, 1, 51);
  ValueId sum = b.node("add", Op::kAdd, {bn("bn3", c3, 8, 61), pool});
  ValueId r3 = b.node("relu3", Op::kRelu, {sum});
  ValueId gap = b.node("gap", Op::kGlobalAveragePool, {r3});
  ValueId flat = b.node("flatten", Op::kFlatten, {gap}, {{"axis", int64_t{1}}});
  ValueId fc_w = b.constant("fc_w", random_tensor({kClasses, 8}, 71, 0.5f));
  ValueId fc_b = b.constant("fc_b", random_tensor({kClasses}, 72, 0.1f));
  ValueId fc = b.node("fc", Op::kGemm, {flat, fc_w, fc_b}, {{"transB", int64_t{1}}});
  ValueId prob = b.node("prob", Op::kSoftmax, {fc}, {{"axis", int64_t{1}}});
  Graph graph = b.finish({prob});
  if (!qdq) return graph;
  auto placed = insert_qdq(graph, {});
  EXPECT_TRUE(placed.ok()) << placed.status().to_string();
  std::map<std::string, float> ranges;
  for (const std::string& t : tensors_to_calibrate(graph)) ranges[t] = amax;
  Status ranged = set_activation_ranges(graph, ranges);
  EXPECT_TRUE(ranged.ok()) << ranged.to_string();
  return graph;
}

// Image i: noise plus a bright quadrant that names its class (learnable by a small CNN).
class SyntheticImages : public BatchSource {
 public:
  explicit SyntheticImages(int64_t count) : count_(count) {}
  int64_t size() const override { return count_; }
  StatusOr<Batch> load(const std::vector<int64_t>& indices, uint64_t seed) const override {
    const auto n = static_cast<int64_t>(indices.size());
    Batch batch{Tensor(DType::kFloat32, {n, 3, kSide, kSide}), {}};
    float* out = batch.images.data<float>();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t cls = indices[static_cast<size_t>(i)] % kClasses;
      // "Augmentation": noise that depends on the seed, as a real augmenting source's output does.
      std::mt19937_64 rng(mix_seed(seed, static_cast<uint64_t>(indices[static_cast<size_t>(i)])));
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t y = 0; y < kSide; ++y)
          for (int64_t x = 0; x < kSide; ++x) {
            const bool lit = (y < kSide / 2) == (cls / 2 == 0) && (x < kSide / 2) == (cls % 2 == 0);
            *out++ = (lit ? 1.5f : 0.0f) + static_cast<float>(rng() >> 40) / static_cast<float>(1 << 24) - 0.5f;
          }
      batch.labels.push_back(cls);
    }
    return batch;
  }

 private:
  int64_t count_;
};

}  // namespace qatrt::train_test
