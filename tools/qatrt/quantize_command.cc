// qatrt quantize (--keras model.json | --onnx M) --calib DIR --output Q.onnx [--calib-method …] [--calib-cache F]
// The post-training half of sampleQAT: float model → recipe Q/DQ → calibration on real images → Q/DQ ONNX.
#include <cstdio>
#include <memory>
#include <set>

#include "activation_calibration.h"
#include "cli_common.h"
#include "commands.h"
#include "export/onnx_exporter.h"
#include "model_source.h"
#include "passes/insert_qdq.h"

namespace qatrt::cli {
namespace {

struct QuantizeOptions {
  ModelSource model;
  CalibrationFlags calibration;
  std::string output;
  std::string preprocess = "caffe";
  std::string weights = "float";
  int threads = 0;
  bool no_maxpool = false, no_residual = false, list = false;
  std::vector<std::string> skip;
};

int run_quantize(const QuantizeOptions& o) {
  Stopwatch total;
  if (Status checked = check_calibration_flags(o.calibration); !checked.ok()) return fail(checked);
  auto weight_format = parse_weight_format(o.weights);
  if (!weight_format.ok()) return fail(weight_format.status().with_context("--weights"));

  std::printf("[1/4] import %s\n", o.model.path().c_str());
  Stopwatch step;
  auto imported = load_model(o.model);
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

  std::printf("[3/4] calibrate (%s)\n", o.calibration.method.c_str());
  step = Stopwatch();
  auto ranged = calibrate_activations(model, quantized, o.calibration, o.preprocess, o.threads);
  if (!ranged.ok()) return fail(ranged.status());
  std::printf("      %zu activation ranges  (%s)\n", *ranged, format_ms(step.ms()).c_str());

  std::printf("[4/4] export %s (weights: %s)\n", o.output.c_str(), o.weights.c_str());
  step = Stopwatch();
  Status exported = export_onnx(quantized, o.output, {.weights = *weight_format});
  if (!exported.ok()) return fail(exported);
  std::printf("      (%s)\nquantized %s in %s\n", format_ms(step.ms()).c_str(), o.output.c_str(), format_ms(total.ms()).c_str());
  return 0;
}

}  // namespace

void add_quantize_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<QuantizeOptions>();
  CLI::App* cmd = app.add_subcommand("quantize", "Insert Q/DQ by the TensorRT recipe, calibrate, export Q/DQ ONNX");
  add_model_source_options(cmd, o->model);
  cmd->add_option("--output", o->output, "Q/DQ ONNX file to write")->required();
  add_calibration_flags(cmd, o->calibration);
  cmd->add_option("--preprocess", o->preprocess, "caffe, torch or tf");
  cmd->add_option("--weights", o->weights, "float (float weights + Q/DQ, sampleQAT) or int8 (int8 + DQ, ORT)");
  cmd->add_option("--threads", o->threads, "Threads (0 = all)");
  cmd->add_flag("--no-maxpool", o->no_maxpool, "Do not quantize MaxPool inputs");
  cmd->add_flag("--no-residual", o->no_residual, "Do not quantize residual Add inputs");
  cmd->add_option("--skip", o->skip, "Node names to leave in float");
  cmd->add_flag("--list-quantizers", o->list, "Print every quantizer placed");
  cmd->callback([o, &exit_code] { exit_code = run_quantize(*o); });
}

}  // namespace qatrt::cli
