#include "train/training_data.h"

#include <algorithm>
#include <random>

#include "data/image_decode.h"
#include "data/parallel_for.h"

namespace qatrt {

std::vector<int64_t> epoch_order(int64_t n, uint64_t seed, int64_t epoch) {
  std::vector<int64_t> order(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) order[static_cast<size_t>(i)] = i;
  std::mt19937_64 rng(mix_seed(seed, static_cast<uint64_t>(epoch)));
  for (int64_t i = n - 1; i > 0; --i) {
    const auto j = static_cast<int64_t>(rng() % static_cast<uint64_t>(i + 1));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  return order;
}

int64_t steps_per_epoch(int64_t images, int64_t batch) { return (images + batch - 1) / batch; }

std::vector<int64_t> batch_indices(const std::vector<int64_t>& order, int64_t batch, int64_t step) {
  const auto begin = static_cast<size_t>(std::min<int64_t>(step * batch, static_cast<int64_t>(order.size())));
  const auto end = std::min(order.size(), begin + static_cast<size_t>(batch));
  return {order.begin() + static_cast<ptrdiff_t>(begin), order.begin() + static_cast<ptrdiff_t>(end)};
}

StatusOr<Batch> ImageFolderBatches::load(const std::vector<int64_t>& indices, uint64_t seed) const {
  if (indices.empty()) return Status(StatusCode::kInvalidArgument, "empty batch");
  QATRT_RETURN_IF_ERROR(check_preprocess_options(preprocess_));
  const auto n = static_cast<int64_t>(indices.size());
  const int64_t size = preprocess_.crop;
  Batch batch{Tensor(DType::kFloat32, preprocess_.channels_last ? Shape{n, size, size, 3} : Shape{n, 3, size, size}), {}};
  const size_t per_image = static_cast<size_t>(3 * size * size);
  // Each image's augmentation stream depends on (seed, image index) alone, so the batch does not depend on
  // which worker decodes which image.
  QATRT_RETURN_IF_ERROR(parallel_for(indices.size(), threads_, [&](size_t i) -> Status {
    const std::string& path = images_.paths[static_cast<size_t>(indices[i])];
    QATRT_ASSIGN_OR_RETURN(Image image, decode_image_file(path));
    std::span<float> out = batch.images.values<float>().subspan(i * per_image, per_image);
    Status s = augment_ ? augment_into(image, augment_options_, preprocess_, mix_seed(seed, static_cast<uint64_t>(indices[i])), out)
                        : preprocess_into(image, preprocess_, out);
    return s.ok() ? s : s.with_context("image '" + path + "'");
  }));
  for (int64_t index : indices) batch.labels.push_back(images_.classes[static_cast<size_t>(index)]);
  return batch;
}

}  // namespace qatrt
