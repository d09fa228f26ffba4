// load_image_batch: decoding dominates preprocessing time, and images are independent, so workers take the
// next unclaimed index from an atomic counter and write straight into their slice of the batch tensor.
#include <algorithm>
#include <atomic>
#include <thread>

#include "data/image_decode.h"
#include "data/preprocess.h"

namespace qatrt {

StatusOr<Tensor> load_image_batch(std::span<const std::string> paths, const PreprocessOptions& options, int threads) {
  if (paths.empty()) return Status(StatusCode::kInvalidArgument, "no images to load");
  QATRT_RETURN_IF_ERROR(check_preprocess_options(options));
  const int64_t n = static_cast<int64_t>(paths.size());
  const int64_t size = options.crop;
  Tensor batch(DType::kFloat32, options.channels_last ? Shape{n, size, size, 3} : Shape{n, 3, size, size});
  const size_t per_image = static_cast<size_t>(3 * size * size);
  std::vector<Status> results(paths.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < paths.size(); i = next++) {
      auto image = decode_image_file(paths[i]);
      if (!image.ok()) {
        results[i] = image.status();
        continue;
      }
      Status s = preprocess_into(*image, options, batch.values<float>().subspan(i * per_image, per_image));
      results[i] = s.ok() ? s : s.with_context("image '" + paths[i] + "'");
    }
  };
  unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers = std::min<size_t>(threads > 0 ? static_cast<size_t>(threads) : hardware, paths.size());
  std::vector<std::thread> pool;
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  for (const Status& s : results)
    if (!s.ok()) return s;
  return batch;
}

}  // namespace qatrt
