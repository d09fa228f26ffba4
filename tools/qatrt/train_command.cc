// qatrt train (--keras model.json | --onnx M) --data DIR --output Q.onnx [--calib DIR | --calib-cache F] [...]
// Quantization-aware fine-tuning (sampleQAT step 1) and export (step 2): a float model gets the recipe's Q/DQ
// and calibrated ranges first (as `qatrt quantize` does; a model that already has Q/DQ keeps its scales),
// then trains with fake quantization on a labelled folder and is exported as Q/DQ ONNX for `qatrt build`.
// Built into the qatrt-train executable (the only one linked with libtorch); `qatrt train` runs it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "activation_calibration.h"
#include "cli_common.h"
#include "commands.h"
#include "data/labelled_folder.h"
#include "export/onnx_exporter.h"
#include "model_io.h"
#include "model_source.h"
#include "passes/insert_qdq.h"
#include "train/trainer.h"

namespace qatrt::cli {
namespace {

struct TrainCommandOptions {
  ModelSource model;
  CalibrationFlags calibration;
  TrainOptions train;
  std::string data, output, preprocess = "caffe", weights = "float", lr_schedule = "cosine";
  std::string eval_data, eval_json;
  int limit = 0, eval_limit = 0;
  int loader_threads = 0;
  bool no_augment = false;
};

bool has_quantizers(const Graph& graph) {
  return std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const Node& n) { return n.op == Op::kQuantizeLinear; });
}

// The trained graph through the trainer's own eval-mode forward (float fake quantization in libtorch): the
// "QAT fake-quant" column, to compare with the INT8 plan that `qatrt build` makes from the export.
Status evaluate_with_trainer(const Graph& graph, const TrainCommandOptions& o, const PreprocessOptions& preprocess) {
  QATRT_ASSIGN_OR_RETURN(LabelledImages set, read_labelled_folder(o.eval_data, o.eval_limit));
  const size_t images = set.paths.size();
  ImageFolderBatches batches(std::move(set), preprocess, false, o.loader_threads);
  QATRT_ASSIGN_OR_RETURN(TrainerAccuracy accuracy, trainer_evaluate(graph, batches, o.train.batch, o.train.progress));
  const double n = static_cast<double>(images);
  std::printf("      trainer fake-quant on %s: top-1 %.2f%%, top-5 %.2f%% (%zu images, %.2f images/s)\n", o.eval_data.c_str(),
              100.0 * accuracy.top1_hits / n, 100.0 * accuracy.top5_hits / n, images, accuracy.images_per_second);
  if (o.eval_json.empty()) return Status::ok_status();
  nlohmann::json json = {{"model", o.output}, {"forward", "qatrt train (libtorch, float fake quantization)"}, {"images", images},
                         {"top1", accuracy.top1_hits / n}, {"top5", accuracy.top5_hits / n},
                         {"images_per_second", accuracy.images_per_second}, {"predictions", accuracy.top1}};
  std::ofstream out(o.eval_json);
  out << json.dump(2) << "\n";
  if (!out) return make_error(StatusCode::kIoError, "cannot write '", o.eval_json, "'");
  return Status::ok_status();
}

int run_train(TrainCommandOptions o) {
  Stopwatch total;
  if (Status checked = check_calibration_flags(o.calibration); !checked.ok()) return fail(checked);
  auto weight_format = parse_weight_format(o.weights);
  if (!weight_format.ok()) return fail(weight_format.status().with_context("--weights"));
  auto schedule = parse_lr_schedule(o.lr_schedule);
  if (!schedule.ok()) return fail(schedule.status());
  o.train.schedule = *schedule;
  auto preset = parse_preprocess_preset(o.preprocess);
  if (!preset.ok()) return fail(preset.status());
  if (!o.train.resume.empty() && !std::filesystem::exists(o.train.resume))
    return fail(make_error(StatusCode::kNotFound, "--resume: '", o.train.resume, "' not found (a checkpoint file or a --checkpoint-dir folder)"));
  auto set = read_labelled_folder(o.data, o.limit);
  if (!set.ok()) return fail(set.status());

  std::printf("[1/4] import %s\n", o.model.path().c_str());
  auto imported = load_model(o.model);
  if (!imported.ok()) return fail(imported.status());
  Graph model = std::move(imported).value();
  auto input = describe_image_input(model);
  if (!input.ok()) return fail(input.status());

  Graph quantized = model;
  if (has_quantizers(model)) {
    std::printf("[2/4] the model already has Q/DQ: training from its scales\n");
  } else {
    std::printf("[2/4] insert Q/DQ (recipe) and calibrate (%s)\n", o.calibration.method.c_str());
    auto placed = insert_qdq(quantized, QdqRecipe{});
    if (!placed.ok()) return fail(placed.status());
    auto ranged = calibrate_activations(model, quantized, o.calibration, o.preprocess, o.train.threads);
    if (!ranged.ok()) return fail(ranged.status());
    std::printf("      %zu quantizers, %zu activation ranges\n", placed->size(), *ranged);
  }

  std::printf("[3/4] train: %zu images from %s, %lld epoch(s), batch %lld, lr %g (%s), %s BN, %s amax%s\n",
              set->paths.size(), o.data.c_str(), static_cast<long long>(o.train.epochs), static_cast<long long>(o.train.batch),
              o.train.lr, o.lr_schedule.c_str(), o.train.freeze_bn ? "frozen" : "training-mode",
              o.train.learn_amax ? "learned" : "fixed", o.train.deterministic ? ", deterministic" : "");
  const PreprocessOptions preprocess = image_preprocessing(*input, *preset);
  if (o.train.epochs == 0) {
    std::printf("      --epochs 0: no training, the model is exported as calibrated\n");
  } else {
    ImageFolderBatches batches(std::move(set).value(), preprocess, !o.no_augment, o.loader_threads);
    auto summary = train_qat(quantized, batches, o.train);
    if (!summary.ok()) return fail(summary.status());
    std::printf("      steps %lld..%lld of %lld, loss %.4f, top-1 %.2f%%, %.2f images/s\n", static_cast<long long>(summary->first_step),
                static_cast<long long>(summary->steps), static_cast<long long>(summary->total_steps), summary->last_loss,
                100.0 * summary->last_top1, summary->images_per_second);
  }

  std::printf("[4/4] export %s (weights: %s)\n", o.output.c_str(), o.weights.c_str());
  Status exported = export_onnx(quantized, o.output, {.weights = *weight_format});
  if (!exported.ok()) return fail(exported);
  if (!o.eval_data.empty()) {
    if (Status evaluated = evaluate_with_trainer(quantized, o, preprocess); !evaluated.ok()) return fail(evaluated);
  }
  std::printf("done in %s\n", format_ms(total.ms()).c_str());
  return 0;
}

}  // namespace

void add_train_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<TrainCommandOptions>();
  TrainOptions& t = o->train;
  CLI::App* cmd = app.add_subcommand("train", "Quantization-aware fine-tuning (libtorch), then Q/DQ ONNX export");
  add_model_source_options(cmd, o->model);
  cmd->add_option("--data", o->data, "Labelled training folder (labels.txt: 'relative/path class' lines)")->required();
  cmd->add_option("--output", o->output, "Q/DQ ONNX file to write")->required();
  add_calibration_flags(cmd, o->calibration);
  cmd->add_option("--preprocess", o->preprocess, "caffe, torch or tf (normalisation after augmentation)");
  cmd->add_flag("--no-augment", o->no_augment, "Evaluation preprocessing instead of random resized crop + flip");
  cmd->add_option("--limit", o->limit, "Train on the first N images only (0 = all)");
  cmd->add_option("--epochs", t.epochs, "Epochs (0: calibrate and export only, e.g. with --eval-data)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--batch", t.batch, "Images per step")->check(CLI::PositiveNumber);
  cmd->add_option("--lr", t.lr, "Peak learning rate");
  cmd->add_option("--momentum", t.momentum, "SGD momentum");
  cmd->add_option("--wd", t.weight_decay, "Weight decay (Conv/Gemm/MatMul weights only)");
  cmd->add_option("--lr-schedule", o->lr_schedule, "cosine (per step, to 0) or step");
  cmd->add_option("--lr-step-epochs", t.lr_step_epochs, "step schedule: epochs between decays");
  cmd->add_option("--lr-step-gamma", t.lr_step_gamma, "step schedule: decay factor");
  cmd->add_option("--label-smoothing", t.label_smoothing, "Label smoothing ε in [0, 1)");
  cmd->add_flag("--freeze-bn", t.freeze_bn, "BatchNorm uses its running statistics (eval mode) while training");
  cmd->add_option("--bn-momentum", t.bn_momentum, "Running-statistics momentum for BN nodes without one (Keras: 0.99)");
  cmd->add_flag("--learn-amax", t.learn_amax, "Train the activation ranges (PACT-style gradient)");
  cmd->add_option("--checkpoint-dir", t.checkpoint_dir, "Folder for latest.ckpt");
  cmd->add_option("--checkpoint-every", t.checkpoint_every, "Save every N steps (0 = only at the end)");
  cmd->add_option("--resume", t.resume, "Continue from a checkpoint file or --checkpoint-dir folder");
  cmd->add_option("--max-steps", t.max_steps, "Stop after N steps of this run (0 = to the end); the schedule is unchanged");
  cmd->add_option("--seed", t.seed, "Seed of the data order and augmentation");
  cmd->add_flag("--deterministic", t.deterministic, "Deterministic algorithms, fixed thread count: reruns are bit-identical");
  cmd->add_option("--threads", t.threads, "libtorch threads (0 = its default; all cores in --deterministic)");
  cmd->add_option("--loader-threads", o->loader_threads, "Image decoding threads (0 = all cores)");
  cmd->add_option("--device", t.device, "cpu or cuda");
  cmd->add_flag("--mixed-precision", t.mixed_precision, "bfloat16 autocast for the forward pass (for GPUs; slow on most CPUs)");
  cmd->add_option("--weights", o->weights, "Exported weights: float (+ Q/DQ, sampleQAT) or int8 (+ DQ, ORT)");
  cmd->add_option("--log", t.log_path, "JSON-lines log: a record every --log-every steps and one per epoch");
  cmd->add_option("--log-every", t.log_every, "Steps between log records");
  cmd->add_option("--eval-data", o->eval_data, "After training: top-1/top-5 of the trainer's fake-quant forward on this labelled folder");
  cmd->add_option("--eval-limit", o->eval_limit, "Evaluate the first N images only (0 = all)");
  cmd->add_option("--eval-json", o->eval_json, "Write that evaluation (with per-image top-1) as JSON");
  cmd->callback([o, &exit_code] { exit_code = run_train(*o); });
}

}  // namespace qatrt::cli
