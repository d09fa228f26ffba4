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
#include "train/rendezvous.h"
#include "train/trainer.h"
#include "train_launcher.h"

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
  // Data parallelism: --gpus N|all (launch one process per GPU), --world-size N (launch N CPU processes, or
  // with --rank: be one rank of N), --nodes/--node-rank (the launch spans hosts), --rendezvous.
  std::string gpus;
  bool device_given = false;
  int world_size = 1, rank = -1, nodes = 1, node_rank = 0;
  std::string rendezvous;
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

// Import, then (for a float model) the recipe's Q/DQ and calibration: steps 1 and 2. `calibrated`: whether
// the Q/DQ graph was made here (else the model had its own).
StatusOr<Graph> prepare_model(const TrainCommandOptions& o, bool* calibrated = nullptr) {
  // A launched worker's stdout (rank 0's) follows the launcher's, which already printed steps 1 and 2.
  const bool announce = !is_launched_worker();
  if (announce) std::printf("[1/4] import %s\n", o.model.path().c_str());
  QATRT_ASSIGN_OR_RETURN(Graph model, load_model(o.model));
  QATRT_RETURN_IF_ERROR(describe_image_input(model).status());
  Graph quantized = model;
  if (has_quantizers(model)) {
    if (announce) std::printf("[2/4] the model already has Q/DQ: training from its scales\n");
    if (calibrated) *calibrated = false;
    return quantized;
  }
  if (announce) std::printf("[2/4] insert Q/DQ (recipe) and calibrate (%s)\n", o.calibration.method.c_str());
  QATRT_ASSIGN_OR_RETURN(auto placed, insert_qdq(quantized, QdqRecipe{}));
  QATRT_ASSIGN_OR_RETURN(size_t ranged, calibrate_activations(model, quantized, o.calibration, o.preprocess, o.train.threads));
  if (announce) std::printf("      %zu quantizers, %zu activation ranges\n", placed.size(), ranged);
  if (calibrated) *calibrated = true;
  return quantized;
}

// What this invocation is: a single process, a launcher of data-parallel workers (filled into `plan`), or one
// worker (its rank, world size, rendezvous and device set in o.train).
enum class Role { kSingle, kLauncher, kWorker };

StatusOr<Role> resolve_role(TrainCommandOptions& o, LaunchPlan& plan) {
  if (is_launched_worker()) {
    QATRT_ASSIGN_OR_RETURN(WorkerRole role, launched_worker_role());
    o.train.rank = role.rank;
    o.train.world_size = role.world_size;
    o.train.rendezvous = role.rendezvous;
    o.train.device = role.device;
    if (!role.prepared_model.empty()) o.model = ModelSource{.keras = "", .onnx = role.prepared_model};
    return Role::kWorker;
  }
  if (o.world_size < 1) return make_error(StatusCode::kInvalidArgument, "--world-size must be at least 1, got ", o.world_size);
  if (o.nodes < 1 || o.node_rank < 0 || o.node_rank >= o.nodes)
    return make_error(StatusCode::kInvalidArgument, "--nodes ", o.nodes, " --node-rank ", o.node_rank, ": need nodes >= 1 and 0 <= node rank < nodes");
  if (!o.rendezvous.empty()) QATRT_RETURN_IF_ERROR(check_rendezvous(o.rendezvous));
  if (o.rank >= 0) {  // one rank of a group started by hand (e.g. one process per GPU on several hosts)
    if (!o.gpus.empty() || o.nodes != 1) return make_error(StatusCode::kInvalidArgument, "--rank starts one worker: it does not combine with --gpus or --nodes");
    if (o.rank >= o.world_size) return make_error(StatusCode::kInvalidArgument, "--rank ", o.rank, " needs --world-size above it (got ", o.world_size, ")");
    if (o.rendezvous.empty()) return make_error(StatusCode::kInvalidArgument, "--rank needs --rendezvous (tcp://HOST:PORT of rank 0, or a shared directory)");
    o.train.rank = o.rank;
    o.train.world_size = o.world_size;
    o.train.rendezvous = o.rendezvous;
    // Ranks started by hand calibrate on their own; only rank 0 may write a missing cache (no two writers).
    if (o.rank != 0 && !std::filesystem::exists(o.calibration.cache)) o.calibration.cache.clear();
    return o.world_size == 1 ? Role::kSingle : Role::kWorker;
  }
  if (o.gpus.empty() && o.world_size == 1) {
    if (o.nodes != 1) return make_error(StatusCode::kInvalidArgument, "--nodes needs --gpus N (the processes per host)");
    return Role::kSingle;
  }
  if (!o.gpus.empty()) {
    if (o.train.device == "cpu" && o.device_given)
      return make_error(StatusCode::kInvalidArgument, "--gpus trains on CUDA devices; drop --device cpu (or use --world-size N for CPU processes)");
    const int visible = cuda_device_count();
    const int n = o.gpus == "all" ? visible : (o.gpus.find_first_not_of("0123456789") == std::string::npos ? std::atoi(o.gpus.c_str()) : -1);
    if (n < 1) return make_error(StatusCode::kInvalidArgument, "--gpus '", o.gpus, "': give a positive count or 'all' (", visible, " CUDA device(s) visible)");
    if (n > visible)
      return make_error(StatusCode::kInvalidArgument, "--gpus ", o.gpus, ": only ", visible, " CUDA device(s) visible to this libtorch",
                        visible == 0 ? " (none: a CPU-only libtorch, no driver, or CUDA_VISIBLE_DEVICES empty)" : "");
    if (o.world_size != 1 && o.world_size != n * o.nodes)
      return make_error(StatusCode::kInvalidArgument, "--world-size ", o.world_size, " contradicts --gpus ", n, " x --nodes ", o.nodes, "; drop --world-size");
    plan.cuda = true;
    plan.local_processes = n;
  } else {
    if (o.train.device != "cpu")
      return make_error(StatusCode::kInvalidArgument, "--world-size ", o.world_size, " without --rank starts CPU processes; for GPUs use --gpus N");
    if (o.nodes != 1) return make_error(StatusCode::kInvalidArgument, "--nodes needs --gpus N; on CPU hosts start each rank with --rank");
    plan.local_processes = o.world_size;
  }
  if (o.nodes > 1 && o.rendezvous.empty())
    return make_error(StatusCode::kInvalidArgument, "--nodes ", o.nodes, " needs --rendezvous tcp://HOST:PORT (HOST: node 0) or a directory all hosts share");
  QATRT_RETURN_IF_ERROR(check_data_parallel_support(plan.cuda ? "cuda" : "cpu"));
  plan.nodes = o.nodes;
  plan.node_rank = o.node_rank;
  plan.rendezvous = o.rendezvous;
  return Role::kLauncher;
}

// The launcher prepares the model once (a float model is calibrated here, not in every worker), hands the
// Q/DQ graph to the workers through a file, and waits for them.
int launch(const TrainCommandOptions& o, LaunchPlan plan) {
  bool calibrated = false;
  auto quantized = prepare_model(o, &calibrated);
  if (!quantized.ok()) return fail(quantized.status());
  std::string dir;
  if (calibrated) {
    dir = (std::filesystem::temp_directory_path() / "qatrt-train-model-XXXXXX").string();
    if (!mkdtemp(dir.data())) return fail(make_error(StatusCode::kIoError, "cannot create a directory for the calibrated model under /tmp"));
    plan.prepared_model = (std::filesystem::path(dir) / "calibrated.onnx").string();
    if (Status s = export_onnx(*quantized, plan.prepared_model, {}); !s.ok()) return fail(s);
  }
  std::printf("[3/4] train: data parallel, batch %lld per process\n", static_cast<long long>(o.train.batch));
  const int code = launch_workers(plan);
  if (!dir.empty()) std::filesystem::remove_all(dir);
  return code;
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
  LaunchPlan plan;
  auto role = resolve_role(o, plan);
  if (!role.ok()) return fail(role.status());
  if (*role == Role::kLauncher) return launch(o, plan);
  const bool leader = o.train.rank == 0;
  if (!leader) o.train.progress = false;

  auto prepared = prepare_model(o);
  if (!prepared.ok()) return fail(prepared.status());
  Graph quantized = std::move(prepared).value();
  auto input = describe_image_input(quantized);
  if (!input.ok()) return fail(input.status());

  std::printf("[3/4] train: %zu images from %s, %lld epoch(s), batch %lld, lr %g (%s), %s BN, %s amax%s\n",
              set->paths.size(), o.data.c_str(), static_cast<long long>(o.train.epochs), static_cast<long long>(o.train.batch),
              o.train.lr, o.lr_schedule.c_str(), o.train.freeze_bn ? "frozen" : "training-mode",
              o.train.learn_amax ? "learned" : "fixed", o.train.deterministic ? ", deterministic" : "");
  if (o.train.world_size > 1)
    std::printf("      rank %d of %d on %s: global batch %lld\n", o.train.rank, o.train.world_size, o.train.device.c_str(),
                static_cast<long long>(o.train.batch * o.train.world_size));
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
  if (!leader) return 0;  // rank 0 alone exports and evaluates
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
  cmd->add_option("--device", t.device, "cpu, cuda or cuda:K")->each([o](const std::string&) { o->device_given = true; });
  cmd->add_option("--gpus", o->gpus, "Data parallel: one process per GPU, N of them or 'all' (--batch is per GPU)");
  cmd->add_option("--world-size", o->world_size, "Data parallel: processes in all (without --rank: start that many CPU processes here)");
  cmd->add_option("--rank", o->rank, "Data parallel: be this one rank (0 .. world size - 1), started by hand, e.g. per host");
  cmd->add_option("--rendezvous", o->rendezvous, "Where the ranks meet: tcp://HOST:PORT (rank 0's host) or a directory all can write");
  cmd->add_option("--nodes", o->nodes, "Data parallel over hosts: run the same --gpus launch on each of this many hosts");
  cmd->add_option("--node-rank", o->node_rank, "This host's index (0 .. nodes - 1); its ranks are node-rank x gpus + 0 .. gpus - 1");
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
