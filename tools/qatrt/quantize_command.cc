// qatrt quantize (--keras model.json | --onnx M) --calib DIR --output Q.onnx [--calib-method …] [--calib-cache F]
// The post-training half of sampleQAT: float model → recipe Q/DQ → calibration on real images → Q/DQ ONNX.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <set>

#include "calibrate/calibrators.h"
#include "calibrate/collect_statistics.h"
#include "cli_common.h"
#include "commands.h"
#include "data/image_list.h"
#include "export/onnx_exporter.h"
#include "keras/importer.h"
#include "onnx/importer.h"
#include "passes/insert_qdq.h"

namespace qatrt::cli {
namespace {

struct QuantizeOptions {
  std::string keras, onnx, calib, output, cache;
  std::string method = "max";
  double percentile = 99.99;
  std::string preprocess = "caffe";
  std::string weights = "float";
  int calib_images = 0;
  int batch = 8;
  int threads = 0;
  bool no_maxpool = false, no_residual = false, list = false;
  std::vector<std::string> skip;
};

StatusOr<Graph> load_float_model(const QuantizeOptions& o) {
  if (!o.keras.empty()) return import_keras_tfjs(o.keras);
  return import_onnx_file(o.onnx);
}

// Statistics from the cache when it covers every tensor, else from running the images (then cached).
StatusOr<CalibrationStatistics> statistics_for(const Graph& model, const std::vector<std::string>& tensors,
                                               const QuantizeOptions& o) {
  if (!o.cache.empty() && std::filesystem::exists(o.cache)) {
    QATRT_ASSIGN_OR_RETURN(CalibrationStatistics cached, read_calibration_cache(o.cache));
    bool covers = std::all_of(tensors.begin(), tensors.end(), [&](const std::string& t) { return cached.tensors.count(t); });
    if (covers) {
      std::printf("      statistics from cache %s (%lld images)\n", o.cache.c_str(), static_cast<long long>(cached.images));
      return cached;
    }
    std::printf("      cache %s does not cover this model's tensors; recalibrating\n", o.cache.c_str());
  }
  if (o.calib.empty())
    return make_error(StatusCode::kInvalidArgument, "no calibration images: pass --calib DIR (or a --calib-cache that exists)");
  QATRT_ASSIGN_OR_RETURN(std::vector<std::string> images, list_images(o.calib, static_cast<size_t>(o.calib_images)));
  QATRT_ASSIGN_OR_RETURN(PreprocessPreset preset, parse_preprocess_preset(o.preprocess));
  CollectOptions collect{.preprocess = {.preset = preset}, .batch = o.batch, .threads = o.threads};
  std::printf("      %zu images from %s, preprocess %s\n", images.size(), o.calib.c_str(), o.preprocess.c_str());
  QATRT_ASSIGN_OR_RETURN(CalibrationStatistics stats, collect_statistics(model, tensors, images, collect));
  if (!o.cache.empty()) {
    QATRT_RETURN_IF_ERROR(write_calibration_cache(stats, o.cache));
    std::printf("      wrote cache %s\n", o.cache.c_str());
  }
  return stats;
}

int run_quantize(const QuantizeOptions& o) {
  Stopwatch total;
  auto method = parse_calibration_method(o.method);
  if (!method.ok()) return fail(method.status());
  if (o.weights != "float" && o.weights != "int8")
    return fail(make_error(StatusCode::kInvalidArgument, "--weights must be float (sampleQAT: float + Q/DQ) or int8 (ORT: int8 + DQ), got '", o.weights, "'"));

  std::printf("[1/4] import %s\n", (o.keras.empty() ? o.onnx : o.keras).c_str());
  Stopwatch step;
  auto imported = load_float_model(o);
  if (!imported.ok()) return fail(imported.status());
  Graph model = std::move(imported).value();
  std::printf("      %zu nodes  (%s)\n", model.nodes.size(), format_ms(step.ms()).c_str());

  std::printf("[2/4] insert Q/DQ (recipe: conv/gemm inputs + per-channel weights%s%s)\n",
              o.no_maxpool ? "" : ", maxpool inputs", o.no_residual ? "" : ", residual inputs");
  QdqRecipe recipe;
  recipe.maxpool_inputs = !o.no_maxpool;
  recipe.residual_inputs = !o.no_residual;
  recipe.skip_nodes = std::set<std::string>(o.skip.begin(), o.skip.end());
  Graph quantized = model;
  auto placed = insert_qdq(quantized, recipe);
  if (!placed.ok()) return fail(placed.status());
  size_t weights = std::count_if(placed->begin(), placed->end(), [](const PlacedQuantizer& p) { return p.is_weight; });
  std::printf("      %zu quantizers: %zu activation, %zu weight\n", placed->size(), placed->size() - weights, weights);
  if (o.list)
    for (const auto& p : *placed) std::printf("        %-40s %s\n", p.tensor.c_str(), p.role.c_str());

  std::printf("[3/4] calibrate (%s)\n", o.method.c_str());
  step = Stopwatch();
  std::vector<std::string> tensors = tensors_to_calibrate(quantized);
  auto stats = statistics_for(model, tensors, o);
  if (!stats.ok()) return fail(stats.status());
  std::map<std::string, float> amax;
  CalibrationOptions calibration{.method = *method, .percentile = o.percentile};
  for (const std::string& t : tensors) amax[t] = compute_amax(stats->tensors.at(t), calibration);
  Status ranged = set_activation_ranges(quantized, amax);
  if (!ranged.ok()) return fail(ranged);
  std::printf("      %zu activation ranges  (%s)\n", amax.size(), format_ms(step.ms()).c_str());

  std::printf("[4/4] export %s (weights: %s)\n", o.output.c_str(), o.weights.c_str());
  step = Stopwatch();
  ExportOptions export_options{.weights = o.weights == "int8" ? WeightFormat::kInt8 : WeightFormat::kFloatWithQdq};
  Status exported = export_onnx(quantized, o.output, export_options);
  if (!exported.ok()) return fail(exported);
  std::printf("      (%s)\nquantized %s in %s\n", format_ms(step.ms()).c_str(), o.output.c_str(), format_ms(total.ms()).c_str());
  return 0;
}

}  // namespace

void add_quantize_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<QuantizeOptions>();
  CLI::App* cmd = app.add_subcommand("quantize", "Insert Q/DQ by the TensorRT recipe, calibrate, export Q/DQ ONNX");
  auto* keras = cmd->add_option("--keras", o->keras, "Keras model in TF.js layers format (model.json)");
  auto* onnx = cmd->add_option("--onnx", o->onnx, "FP32 ONNX model");
  keras->excludes(onnx);
  cmd->add_option("--output", o->output, "Q/DQ ONNX file to write")->required();
  cmd->add_option("--calib", o->calib, "Calibration images: a folder (recursive) or a list file");
  cmd->add_option("--calib-images", o->calib_images, "Use at most this many calibration images (0 = all)");
  cmd->add_option("--calib-method", o->method, "max, percentile, entropy or mse");
  cmd->add_option("--percentile", o->percentile, "Percentile for --calib-method percentile");
  cmd->add_option("--calib-cache", o->cache, "Histogram cache: read if it covers the model, else written");
  cmd->add_option("--calib-batch", o->batch, "Images per calibration batch");
  cmd->add_option("--preprocess", o->preprocess, "caffe, torch or tf");
  cmd->add_option("--weights", o->weights, "float (float weights + Q/DQ, sampleQAT) or int8 (int8 + DQ, ORT)");
  cmd->add_option("--threads", o->threads, "Threads (0 = all)");
  cmd->add_flag("--no-maxpool", o->no_maxpool, "Do not quantize MaxPool inputs");
  cmd->add_flag("--no-residual", o->no_residual, "Do not quantize residual Add inputs");
  cmd->add_option("--skip", o->skip, "Node names to leave in float");
  cmd->add_flag("--list-quantizers", o->list, "Print every quantizer placed");
  cmd->callback([o, &exit_code, keras, onnx] {
    if (keras->count() == 0 && onnx->count() == 0) throw CLI::RequiredError("--keras or --onnx");
    exit_code = run_quantize(*o);
  });
}

}  // namespace qatrt::cli
