#include "calibrate/collect_statistics.h"

#include <algorithm>

#include "core/progress.h"
#include "passes/builder.h"
#include "runtime/engine.h"

namespace qatrt {

StatusOr<CalibrationStatistics> collect_statistics(const Graph& model, const std::vector<std::string>& tensors,
                                                   const std::vector<std::string>& images, const CollectOptions& options) {
  if (images.empty()) return make_error(StatusCode::kInvalidArgument, "calibration needs at least one image");
  if (model.inputs.size() != 1)
    return make_error(StatusCode::kUnsupported, "calibration runs models with one image input; this one has ",
                      model.inputs.size());
  // Observed tensors become extra graph outputs, which the FP32 optimizer keeps intact (it never fuses a
  // graph output away), so the statistics are those of the float model itself.
  Graph observed = model;
  std::vector<size_t> output_index;
  for (const std::string& name : tensors) {
    ValueId id = observed.find_value(name);
    if (id == kNoValue)
      return make_error(StatusCode::kNotFound, "calibration tensor '", name, "' is not a value of the model");
    auto it = std::find(observed.outputs.begin(), observed.outputs.end(), id);
    output_index.push_back(static_cast<size_t>(it - observed.outputs.begin()));
    if (it == observed.outputs.end()) observed.outputs.push_back(id);
  }
  PassContext pass_context;
  QATRT_RETURN_IF_ERROR(optimize_graph(observed, PrecisionMode::kFp32, pass_context).with_context("calibration model"));
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(std::move(observed), {.backend = options.backend, .threads = options.threads}));

  CalibrationStatistics stats;
  for (const std::string& name : tensors) stats.tensors.emplace(name, AbsHistogram());
  ProgressBar progress("calibrate", static_cast<int64_t>(images.size()));
  std::unique_ptr<ExecutionContext> context;
  for (size_t begin = 0; begin < images.size(); begin += static_cast<size_t>(options.batch)) {
    size_t count = std::min(images.size() - begin, static_cast<size_t>(options.batch));
    if (!context || context->batch() != static_cast<int64_t>(count)) {
      QATRT_ASSIGN_OR_RETURN(context, engine->create_context(static_cast<int64_t>(count)));
    }
    std::span<const std::string> paths(images.data() + begin, count);
    QATRT_ASSIGN_OR_RETURN(Tensor batch, load_image_batch(paths, options.preprocess, options.threads));
    QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, context->run({batch}));
    for (size_t t = 0; t < tensors.size(); ++t) {
      const Tensor& out = outputs.at(output_index[t]);
      stats.tensors.at(tensors[t]).observe(out.values<float>());
    }
    stats.images += static_cast<int64_t>(count);
    if (options.progress) progress.advance(static_cast<int64_t>(count));
  }
  if (options.progress) progress.finish();
  return stats;
}

}  // namespace qatrt
