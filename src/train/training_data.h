// What the training loop consumes: batches of (images, labels) chosen by a seeded epoch order.
// A batch is a pure function of (seed, epoch, step in epoch): resuming at a step reproduces the data exactly
// without storing any generator state, and decoding can run ahead on worker threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/tensor.h"
#include "data/labelled_folder.h"
#include "data/preprocess.h"
#include "data/train_augment.h"

namespace qatrt {

struct Batch {
  Tensor images;                // float32 [N,3,H,W]
  std::vector<int64_t> labels;  // N class indices
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual int64_t size() const = 0;  // images in the set
  // The images at these indices of the set; `seed` drives any augmentation (one stream per image).
  virtual StatusOr<Batch> load(const std::vector<int64_t>& indices, uint64_t seed) const = 0;
};

// The permutation of [0, n) used in `epoch`: Fisher–Yates driven by mt19937_64(mix_seed(seed, epoch)).
std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch);

// Indices of step `step` (0-based within the epoch) of batches of `batch` images; the last batch of an epoch
// holds the remainder.
std::vector<int64_t> batch_indices(const std::vector<int64_t>& order, int64_t batch, int64_t step);
int64_t steps_per_epoch(int64_t images, int64_t batch);

// A labelled folder, decoded and preprocessed on `threads` worker threads per batch: with `augment`,
// RandomResizedCrop + flip (train_augment.h) then the preset's normalisation; without, the evaluation
// preprocessing (resize shorter side, centre crop).
class ImageFolderBatches : public BatchSource {
 public:
  ImageFolderBatches(LabelledImages images, PreprocessOptions preprocess, bool augment, int threads)
      : images_(std::move(images)), preprocess_(preprocess), augment_(augment), threads_(threads) {}
  int64_t size() const override { return static_cast<int64_t>(images_.paths.size()); }
  StatusOr<Batch> load(const std::vector<int64_t>& indices, uint64_t seed) const override;

 private:
  LabelledImages images_;
  PreprocessOptions preprocess_;
  AugmentOptions augment_options_;
  bool augment_;
  int threads_;
};

}  // namespace qatrt
