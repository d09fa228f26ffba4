// load_image_batch: decoding dominates preprocessing time, and images are independent, so workers take the
// next unclaimed index (parallel_for) and write straight into their slice of the batch tensor.
#include "data/image_decode.h"
#include "data/parallel_for.h"
#include "data/preprocess.h"

namespace qatrt {

StatusOr<Tensor> load_image_batch(std::span<const std::string> paths, const PreprocessOptions& options, int threads) {
  if (paths.empty()) return Status(StatusCode::kInvalidArgument, "no images to load");
  QATRT_RETURN_IF_ERROR(check_preprocess_options(options));
  const int64_t n = static_cast<int64_t>(paths.size());
  const int64_t size = options.crop;
  Tensor batch(DType::kFloat32, options.channels_last ? Shape{n, size, size, 3} : Shape{n, 3, size, size});
  const size_t per_image = static_cast<size_t>(3 * size * size);
  QATRT_RETURN_IF_ERROR(parallel_for(paths.size(), threads, [&](size_t i) -> Status {
    QATRT_ASSIGN_OR_RETURN(Image image, decode_image_file(paths[i]));
    Status s = preprocess_into(image, options, batch.values<float>().subspan(i * per_image, per_image));
    return s.ok() ? s : s.with_context("image '" + paths[i] + "'");
  }));
  return batch;
}

}  // namespace qatrt
