// The training data path: seeded epoch order and batches, RandomResizedCrop's window, and a labelled folder
// decoded with augmentation — reproducible from the seed alone, whatever the thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>

#include "train/training_data.h"
#include "unit/data/image_test_util.h"
#include "unit/keras/keras_model_writer.h"

namespace qatrt {
namespace {

TEST(TrainingData, EpochOrderIsASeededPermutation) {
  for (int64_t n : {1, 2, 7, 100}) {
    auto a = epoch_order(n, 5, 0), again = epoch_order(n, 5, 0), next = epoch_order(n, 5, 1);
    EXPECT_EQ(a, again) << "n " << n;
    std::vector<int64_t> sorted = a;
    std::sort(sorted.begin(), sorted.end());
    for (int64_t i = 0; i < n; ++i) ASSERT_EQ(sorted[static_cast<size_t>(i)], i) << "n " << n;
    if (n >= 7) EXPECT_NE(a, next) << "epochs must be shuffled differently, n " << n;
  }
}

TEST(TrainingData, BatchesCoverTheEpochOnce) {
  for (int64_t n : {1, 8, 20, 33})
    for (int64_t batch : {1, 3, 8, 50}) {
      auto order = epoch_order(n, 1, 2);
      std::multiset<int64_t> seen;
      const int64_t steps = steps_per_epoch(n, batch);
      for (int64_t s = 0; s < steps; ++s) {
        auto indices = batch_indices(order, batch, s);
        ASSERT_EQ(static_cast<int64_t>(indices.size()), s + 1 < steps ? batch : n - (steps - 1) * batch) << "n " << n << " batch " << batch << " step " << s;
        seen.insert(indices.begin(), indices.end());
      }
      ASSERT_EQ(static_cast<int64_t>(seen.size()), n);
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(seen.count(i), 1u) << "n " << n << " batch " << batch << " index " << i;
    }
}

TEST(TrainingData, RandomCropWindowFollowsTorchvisionsRules) {
  const AugmentOptions o;
  int flips = 0;
  for (auto [w, h] : std::vector<std::pair<int, int>>{{224, 224}, {500, 375}, {64, 640}, {3, 2}, {1, 1}})
    for (uint64_t seed = 0; seed < 200; ++seed) {
      CropWindow c = random_crop_window(w, h, o, seed);
      const std::string where = std::to_string(w) + "x" + std::to_string(h) + " seed " + std::to_string(seed);
      ASSERT_GE(c.left, 0) << where;
      ASSERT_GE(c.top, 0) << where;
      ASSERT_GE(c.width, 1) << where;
      ASSERT_GE(c.height, 1) << where;
      ASSERT_LE(c.left + c.width, w) << where;
      ASSERT_LE(c.top + c.height, h) << where;
      CropWindow again = random_crop_window(w, h, o, seed);
      ASSERT_TRUE(again.left == c.left && again.top == c.top && again.width == c.width && again.height == c.height && again.flip == c.flip) << where;
      if (w >= 64 && h >= 64) {  // large enough for the sampled window to be accepted within 10 tries, mostly
        const double area = static_cast<double>(c.width) * c.height / (static_cast<double>(w) * h);
        ASSERT_LE(area, 1.0 + 1e-9) << where;
        ASSERT_GE(area, 0.08 * 0.9) << where;  // rounding of the sides
      }
      flips += c.flip;
    }
  EXPECT_GT(flips, 400);  // ~half of 1000
  EXPECT_LT(flips, 600);
}

class ImageFolderBatchesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream labels(dir_.file("labels.txt"));
    for (int i = 0; i < 4; ++i) {
      const std::string name = "img" + std::to_string(i) + ".png";
      ASSERT_TRUE(data_test::write_rgb_png(dir_.file(name), data_test::synthetic_image(40 + 10 * i, 50 - 5 * i)));
      labels << name << " " << (i * 3) % 5 << "\n";
    }
  }
  StatusOr<Batch> load(bool augment, int threads, uint64_t seed) {
    auto set = read_labelled_folder(dir_.path().string());
    if (!set.ok()) return set.status();
    ImageFolderBatches batches(*set, {.preset = PreprocessPreset::kCaffe, .resize = 36, .crop = 32}, augment, threads);
    return batches.load({3, 0, 2}, seed);
  }
  testing::TempDir dir_;
};

TEST_F(ImageFolderBatchesTest, AugmentedBatchesDependOnTheSeedOnly) {
  auto one = load(true, 1, 42), three = load(true, 3, 42), other = load(true, 3, 43);
  ASSERT_TRUE(one.ok()) << one.status().to_string();
  ASSERT_TRUE(three.ok() && other.ok());
  EXPECT_EQ(one->labels, (std::vector<int64_t>{4, 0, 1}));
  ASSERT_EQ(one->images.shape(), (Shape{3, 3, 32, 32}));
  EXPECT_EQ(one->images.to_float_vector(), three->images.to_float_vector()) << "thread count changed the batch";
  EXPECT_NE(one->images.to_float_vector(), other->images.to_float_vector()) << "the seed did not change the augmentation";
}

TEST_F(ImageFolderBatchesTest, WithoutAugmentationItIsTheEvaluationPipeline) {
  auto batch = load(false, 2, 42);
  ASSERT_TRUE(batch.ok()) << batch.status().to_string();
  std::vector<std::string> paths = {dir_.file("img3.png"), dir_.file("img0.png"), dir_.file("img2.png")};
  auto expected = load_image_batch(paths, {.preset = PreprocessPreset::kCaffe, .resize = 36, .crop = 32}, 1);
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(batch->images.to_float_vector(), expected->to_float_vector());
}

TEST_F(ImageFolderBatchesTest, ABadImageIsNamed) {
  std::ofstream(dir_.file("img0.png")) << "not a png";
  auto batch = load(true, 2, 1);
  ASSERT_FALSE(batch.ok());
  EXPECT_NE(batch.status().message().find("img0.png"), std::string::npos) << batch.status().to_string();
}

}  // namespace
}  // namespace qatrt
