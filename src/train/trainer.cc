#include "train/trainer.h"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <c10/core/impl/DeviceGuardImplInterface.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/progress.h"
#include "train/checkpoint.h"
#include "train/data_parallel_group.h"
#include "train/graph_module.h"

namespace qatrt {
namespace {

constexpr uint64_t kAugmentStream = 0x61756731;  // separates augmentation seeds from the epoch-order seeds

double learning_rate(const TrainOptions& o, int64_t step, int64_t total_steps, int64_t steps_per_epoch) {
  if (o.schedule == LrSchedule::kCosine)
    return o.lr * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(total_steps)));
  const int64_t epoch = step / steps_per_epoch;
  return o.lr * std::pow(o.lr_step_gamma, static_cast<double>(epoch / std::max<int64_t>(o.lr_step_epochs, 1)));
}

// Sums over the steps since the last record (loss·images, correct, images, seconds).
struct Meter {
  double loss_sum = 0;
  int64_t correct = 0, images = 0;
  double seconds = 0;
  void add(double loss, int64_t right, int64_t n, double s) {
    loss_sum += loss * static_cast<double>(n);
    correct += right;
    images += n;
    seconds += s;
  }
  double loss() const { return images ? loss_sum / static_cast<double>(images) : 0.0; }
  double top1() const { return images ? static_cast<double>(correct) / static_cast<double>(images) : 0.0; }
  nlohmann::json to_json() const { return {{"loss_sum", loss_sum}, {"correct", correct}, {"images", images}, {"seconds", seconds}}; }
  static Meter from_json(const nlohmann::json& j) {
    return {j.at("loss_sum").get<double>(), j.at("correct").get<int64_t>(), j.at("images").get<int64_t>(), j.at("seconds").get<double>()};
  }
};

// SGD with momentum (PyTorch's form: buf = m·buf + g, p −= lr·buf; g includes wd·p for decayed tensors).
struct Sgd {
  std::vector<at::Tensor> momentum;
  void init(const std::vector<NamedTensor>& parameters) {
    for (const NamedTensor& p : parameters) momentum.push_back(at::zeros_like(p.tensor));
  }
  void step(const std::vector<NamedTensor>& parameters, const TrainOptions& o, double lr) {
    at::NoGradGuard no_grad;
    for (size_t i = 0; i < parameters.size(); ++i) {
      at::Tensor p = parameters[i].tensor;
      at::Tensor grad = p.grad();
      if (!grad.defined()) continue;
      if (parameters[i].decay && o.weight_decay != 0) grad = grad.add(p, o.weight_decay);
      momentum[i].mul_(o.momentum).add_(grad);
      p.add_(momentum[i], -lr);
      p.mutable_grad().reset();
      // A learned range must stay positive (a zero amax would quantize everything to 0).
      if (parameters[i].name.rfind("amax/", 0) == 0) p.clamp_min_(1e-6);
    }
  }
};

struct RunState {
  int64_t step = 0;
  Meter epoch, window;
};

// `batch` is the global batch (per-process batch × world size): a run may resume with another world size
// as long as the global batch, hence the data of every step, is the same.
nlohmann::json run_identity(const TrainOptions& o, int64_t batch, int64_t images, int64_t total_steps) {
  return {{"seed", o.seed}, {"batch", batch}, {"images", images}, {"total_steps", total_steps}};
}

Status save(const std::string& path, GraphModule& module, const Sgd& sgd, const RunState& run, const nlohmann::json& identity) {
  Checkpoint checkpoint;
  checkpoint.state = {{"run", identity}, {"step", run.step}, {"epoch_meter", run.epoch.to_json()}, {"window_meter", run.window.to_json()}};
  for (const NamedTensor& t : module.state()) checkpoint.tensors[t.name] = from_torch(t.tensor);
  const auto& parameters = module.parameters();
  for (size_t i = 0; i < parameters.size(); ++i) checkpoint.tensors["momentum/" + parameters[i].name] = from_torch(sgd.momentum[i]);
  return write_checkpoint(checkpoint, path).with_context("saving checkpoint");
}

Status restore(const std::string& path, GraphModule& module, Sgd& sgd, RunState& run, const nlohmann::json& identity) {
  QATRT_ASSIGN_OR_RETURN(Checkpoint checkpoint, read_checkpoint(path));
  if (checkpoint.state.value("run", nlohmann::json()) != identity)
    return make_error(StatusCode::kInvalidArgument, "checkpoint '", path, "' is from another run (", checkpoint.state.value("run", nlohmann::json()).dump(),
                      "), this run is ", identity.dump(), "; resume with the same --seed, --batch, --epochs and data");
  auto load = [&](const std::string& name, at::Tensor& target) -> Status {
    auto it = checkpoint.tensors.find(name);
    if (it == checkpoint.tensors.end()) return make_error(StatusCode::kNotFound, "checkpoint '", path, "' has no tensor '", name, "' (another model?)");
    at::Tensor value = to_torch(it->second);
    if (value.sizes() != target.sizes())
      return make_error(StatusCode::kInvalidArgument, "checkpoint '", path, "': tensor '", name, "' has shape ", shape_to_string(it->second.shape()),
                        ", the model's is ", shape_to_string(Shape(target.sizes().begin(), target.sizes().end())));
    at::NoGradGuard no_grad;
    target.copy_(value);
    return Status::ok_status();
  };
  for (NamedTensor& t : module.state()) QATRT_RETURN_IF_ERROR(load(t.name, t.tensor));
  const auto& parameters = module.parameters();
  for (size_t i = 0; i < parameters.size(); ++i) QATRT_RETURN_IF_ERROR(load("momentum/" + parameters[i].name, sgd.momentum[i]));
  run.step = checkpoint.state.at("step").get<int64_t>();
  run.epoch = Meter::from_json(checkpoint.state.at("epoch_meter"));
  run.window = Meter::from_json(checkpoint.state.at("window_meter"));
  return Status::ok_status();
}

// bfloat16 autocast while alive (a no-op when disabled). Autocast is thread-local state of the dispatcher, so
// it also covers the ops GraphModule calls.
class AutocastScope {
 public:
  AutocastScope(bool enabled, const at::Device& device) : enabled_(enabled), cuda_(device.is_cuda()) {
    if (!enabled_) return;
    if (cuda_) {
      at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
      at::autocast::set_enabled(true);
    } else {
      at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
      at::autocast::set_cpu_enabled(true);
    }
  }
  ~AutocastScope() {
    if (!enabled_) return;
    if (cuda_) at::autocast::set_enabled(false);
    else at::autocast::set_cpu_enabled(false);
    at::autocast::clear_cache();
  }
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_, cuda_;
};

StatusOr<at::Device> parse_device(const std::string& name) {
  if (name == "cpu") return at::Device(at::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!at::hasCUDA()) return make_error(StatusCode::kUnsupported, "--device ", name, ": this libtorch has no CUDA support or no GPU is visible");
    const std::string digits = name.size() > 5 ? name.substr(5) : "0";
    const int index = digits.find_first_not_of("0123456789") == std::string::npos ? std::atoi(digits.c_str()) : -1;
    if (index < 0 || index >= cuda_device_count())
      return make_error(StatusCode::kInvalidArgument, "--device ", name, ": ", cuda_device_count(), " CUDA device(s) visible (cuda:0 .. cuda:", cuda_device_count() - 1, ")");
    // The current device too, so that anything allocated on "cuda" without an index lands on this one.
    c10::impl::getDeviceGuardImpl(at::kCUDA)->setDevice(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index)));
    // Full FP32 products, as on the CPU: TF32 (libtorch's default for cuDNN convolutions) keeps 10 mantissa
    // bits, a rounding the INT8 plan never sees, and the fake-quantized network amplifies every such
    // difference at its Q boundaries. --mixed-precision remains the opt-in for speed.
    at::globalContext().setAllowTF32CuDNN(false);
    at::globalContext().setAllowTF32CuBLAS(false);
    return at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  return make_error(StatusCode::kInvalidArgument, "unknown device '", name, "'; use cpu, cuda or cuda:K");
}

}  // namespace

StatusOr<LrSchedule> parse_lr_schedule(const std::string& name) {
  if (name == "cosine") return LrSchedule::kCosine;
  if (name == "step") return LrSchedule::kStep;
  return make_error(StatusCode::kInvalidArgument, "unknown learning-rate schedule '", name, "'; use cosine or step");
}

int cuda_device_count() { return at::hasCUDA() ? static_cast<int>(at::getNumGPUs()) : 0; }

Status check_data_parallel_support(const std::string& device) {
  try {
    QATRT_ASSIGN_OR_RETURN(at::Device parsed, parse_device(device));
    return check_data_parallel_backend(parsed);
  } catch (const c10::Error& e) {
    return make_error(StatusCode::kInternal, "--device ", device, ": ", e.what_without_backtrace());
  }
}

std::string checkpoint_file(const std::string& checkpoint_dir) {
  return (std::filesystem::path(checkpoint_dir) / "latest.ckpt").string();
}

namespace {

StatusOr<TrainSummary> train_loop(Graph& graph, const BatchSource& data, const TrainOptions& o) {
  if (o.batch < 1 || o.epochs < 1) return make_error(StatusCode::kInvalidArgument, "--batch and --epochs must be positive");
  if (o.label_smoothing < 0 || o.label_smoothing >= 1)
    return make_error(StatusCode::kInvalidArgument, "--label-smoothing must be in [0, 1), got ", o.label_smoothing);
  QATRT_ASSIGN_OR_RETURN(at::Device device, parse_device(o.device));
  std::unique_ptr<DataParallelGroup> group;
  if (o.world_size != 1) {
    QATRT_ASSIGN_OR_RETURN(group, DataParallelGroup::join(o.rendezvous, o.rank, o.world_size, device));
  }
  const bool leader = o.rank == 0;  // writes the log and checkpoints, draws the progress bar
  if (o.deterministic) at::globalContext().setDeterministicAlgorithms(true, false);
  const int threads = o.threads > 0 ? o.threads : (o.deterministic ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : 0);
  if (threads > 0) at::set_num_threads(threads);

  ModuleOptions module_options{.freeze_bn = o.freeze_bn, .learn_amax = o.learn_amax, .bn_momentum = o.bn_momentum, .device = device};
  QATRT_ASSIGN_OR_RETURN(std::unique_ptr<GraphModule> module, GraphModule::create(graph, module_options));
  Sgd sgd;
  sgd.init(module->parameters());

  const int64_t global_batch = o.batch * o.world_size;
  const int64_t per_epoch = steps_per_epoch(data.size(), global_batch);
  const int64_t total_steps = per_epoch * o.epochs;
  const nlohmann::json identity = run_identity(o, global_batch, data.size(), total_steps);
  RunState run;
  if (!o.resume.empty()) {
    const std::string path = std::filesystem::is_directory(o.resume) ? checkpoint_file(o.resume) : o.resume;
    QATRT_RETURN_IF_ERROR(restore(path, *module, sgd, run, identity));
  }
  std::vector<at::Tensor> parameters;
  for (const NamedTensor& p : module->parameters()) parameters.push_back(p.tensor);
  if (group) {
    // Every rank built the same model; rank 0's copy is authoritative (as DDP's initial broadcast).
    std::vector<at::Tensor> state;
    for (const NamedTensor& t : module->state()) state.push_back(t.tensor);
    QATRT_RETURN_IF_ERROR(group->broadcast_from_rank0(state));
  }
  TrainSummary summary{.first_step = run.step, .steps = run.step, .total_steps = total_steps};
  const int64_t end_step = o.max_steps > 0 ? std::min(total_steps, run.step + o.max_steps) : total_steps;

  std::ofstream log;
  if (!o.log_path.empty() && leader) {
    log.open(o.log_path, o.resume.empty() ? std::ios::trunc : std::ios::app);
    if (!log) return make_error(StatusCode::kIoError, "cannot write log '", o.log_path, "'");
  }
  // Images in the global batch of a step (the last of an epoch may be short).
  auto global_images = [&](int64_t step) { return std::min(global_batch, data.size() - (step % per_epoch) * global_batch); };
  // This rank's contiguous shard of the step's global batch; empty when a short last batch does not reach it.
  auto load_step = [&](int64_t step) -> StatusOr<Batch> {
    const int64_t epoch = step / per_epoch;
    std::vector<int64_t> indices = batch_indices(epoch_order(data.size(), o.seed, epoch), global_batch, step % per_epoch);
    const auto begin = std::min(indices.size(), static_cast<size_t>(o.rank * o.batch));
    const auto end = std::min(indices.size(), begin + static_cast<size_t>(o.batch));
    if (begin == end) return Batch{};
    indices = std::vector<int64_t>(indices.begin() + static_cast<ptrdiff_t>(begin), indices.begin() + static_cast<ptrdiff_t>(end));
    return data.load(indices, mix_seed(o.seed ^ kAugmentStream, static_cast<uint64_t>(epoch)));
  };

  int64_t images_this_run = 0;
  for (int64_t s = run.step; s < end_step; ++s) images_this_run += global_images(s);
  ProgressBar progress("train", images_this_run);
  const auto started = std::chrono::steady_clock::now();
  std::future<StatusOr<Batch>> next;
  if (run.step < end_step) next = std::async(std::launch::async, load_step, run.step);
  Meter invocation;
  while (run.step < end_step) {
    const auto step_start = std::chrono::steady_clock::now();
    StatusOr<Batch> batch = next.get();
    if (!batch.ok()) return batch.status();
    // Decode the following batch on worker threads while this one trains.
    if (run.step + 1 < end_step) next = std::async(std::launch::async, load_step, run.step + 1);
    const int64_t epoch = run.step / per_epoch;
    const double lr = learning_rate(o, run.step, total_steps, per_epoch);

    const auto local = static_cast<int64_t>(batch->labels.size());
    const int64_t n = global_images(run.step);
    double loss_value = 0;
    int64_t correct = 0;
    if (local > 0) {
      at::Tensor labels = at::tensor(batch->labels, at::kLong).to(device);
      at::Tensor logits;
      {
        AutocastScope autocast(o.mixed_precision, device);
        QATRT_ASSIGN_OR_RETURN(logits, module->forward_logits(to_torch(batch->images), true));
      }
      logits = logits.to(at::kFloat);
      if (logits.dim() != 2) return make_error(StatusCode::kUnsupported, "the model's logits have shape ", logits.sizes(), "; the trainer needs [N, classes]");
      if (labels.max().item<int64_t>() >= logits.size(1))
        return make_error(StatusCode::kInvalidArgument, "a label (", labels.max().item<int64_t>(), ") is not below the model's ", logits.size(1), " classes");
      at::Tensor log_probs = at::log_softmax(logits, 1);
      at::Tensor nll = -log_probs.gather(1, labels.unsqueeze(1)).squeeze(1);
      at::Tensor loss = ((1.0 - o.label_smoothing) * nll - o.label_smoothing * log_probs.mean(1)).mean();
      // The ranks' gradients are averaged: weighting each shard's mean by local·N/n makes that average the
      // gradient of the global batch's mean loss also when shards differ in size (the factor is 1 otherwise).
      if (group && local * o.world_size != n) (loss * (static_cast<double>(local * o.world_size) / static_cast<double>(n))).backward();
      else loss.backward();
      loss_value = loss.item<double>();
      correct = logits.argmax(1).eq(labels).sum().item<int64_t>();
    }
    if (group) {
      QATRT_RETURN_IF_ERROR(group->average_gradients(parameters));
      // The meters are the global batch's: Σ loss·images and Σ correct over the ranks.
      at::Tensor totals = at::tensor(std::vector<double>{loss_value * static_cast<double>(local), static_cast<double>(correct)}, at::kDouble).to(device);
      QATRT_RETURN_IF_ERROR(group->sum(totals));
      totals = totals.to(at::kCPU);
      loss_value = totals[0].item<double>() / static_cast<double>(n);
      correct = static_cast<int64_t>(std::llround(totals[1].item<double>()));
    }
    sgd.step(module->parameters(), o, lr);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - step_start).count();
    run.epoch.add(loss_value, correct, n, seconds);
    run.window.add(loss_value, correct, n, seconds);
    invocation.add(loss_value, correct, n, seconds);
    ++run.step;
    char note[128];
    std::snprintf(note, sizeof(note), "ep %lld loss %.4f top1 %.1f%% lr %.2e", static_cast<long long>(epoch + 1), run.epoch.loss(), 100 * run.epoch.top1(), lr);
    if (o.progress && leader) progress.advance(n, note);

    if (log.is_open() && o.log_every > 0 && run.step % o.log_every == 0) {
      log << nlohmann::json{{"type", "step"}, {"step", run.step}, {"epoch", epoch + 1}, {"lr", lr}, {"loss", run.window.loss()},
                            {"top1", run.window.top1()}, {"images_per_second", run.window.images / std::max(run.window.seconds, 1e-9)}}.dump()
          << "\n" << std::flush;
      run.window = Meter();
    }
    if (run.step % per_epoch == 0) {
      if (log.is_open())
        log << nlohmann::json{{"type", "epoch"}, {"step", run.step}, {"epoch", epoch + 1}, {"loss", run.epoch.loss()}, {"top1", run.epoch.top1()},
                              {"images", run.epoch.images}, {"images_per_second", run.epoch.images / std::max(run.epoch.seconds, 1e-9)}}.dump()
            << "\n" << std::flush;
      summary.last_loss = run.epoch.loss();
      summary.last_top1 = run.epoch.top1();
      run.epoch = Meter();
    }
    if (leader && !o.checkpoint_dir.empty() && o.checkpoint_every > 0 && run.step % o.checkpoint_every == 0 && run.step < end_step)
      QATRT_RETURN_IF_ERROR(save(checkpoint_file(o.checkpoint_dir), *module, sgd, run, identity));
  }
  if (o.progress && leader) progress.finish();
  if (leader && !o.checkpoint_dir.empty()) QATRT_RETURN_IF_ERROR(save(checkpoint_file(o.checkpoint_dir), *module, sgd, run, identity));
  if (run.step % per_epoch != 0 || summary.last_loss == 0) {
    summary.last_loss = invocation.loss();
    summary.last_top1 = invocation.top1();
  }
  summary.steps = run.step;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  summary.images_per_second = invocation.images / std::max(wall, 1e-9);
  graph = module->trained_graph();
  return summary;
}

}  // namespace

StatusOr<TrainSummary> train_qat(Graph& graph, const BatchSource& data, const TrainOptions& options) {
  try {
    return train_loop(graph, data, options);
  } catch (const c10::Error& e) {  // libtorch reports through exceptions; qatrt's API does not
    return make_error(StatusCode::kInternal, "training failed in libtorch: ", e.what_without_backtrace());
  }
}

StatusOr<TrainerAccuracy> trainer_evaluate(const Graph& graph, const BatchSource& data, int64_t batch, bool progress) {
  try {
    QATRT_ASSIGN_OR_RETURN(std::unique_ptr<GraphModule> module, GraphModule::create(graph, {}));
    TrainerAccuracy result;
    ProgressBar bar("eval (trainer)", data.size());
    const auto started = std::chrono::steady_clock::now();
    for (int64_t begin = 0; begin < data.size(); begin += batch) {
      std::vector<int64_t> indices;
      for (int64_t i = begin; i < std::min(data.size(), begin + batch); ++i) indices.push_back(i);
      QATRT_ASSIGN_OR_RETURN(Batch loaded, data.load(indices, 0));
      QATRT_ASSIGN_OR_RETURN(at::Tensor logits, module->forward_logits(to_torch(loaded.images), false));
      const at::Tensor top5 = std::get<1>(logits.topk(std::min<int64_t>(5, logits.size(1)), 1)).to(at::kCPU);
      for (size_t n = 0; n < indices.size(); ++n) {
        const at::Tensor row = top5[static_cast<int64_t>(n)];
        result.top1.push_back(row[0].item<int64_t>());
        result.top1_hits += row[0].item<int64_t>() == loaded.labels[n];
        result.top5_hits += row.eq(loaded.labels[n]).any().item<bool>();
      }
      if (progress) bar.advance(static_cast<int64_t>(indices.size()));
    }
    if (progress) bar.finish();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.images_per_second = static_cast<double>(data.size()) / std::max(seconds, 1e-9);
    return result;
  } catch (const c10::Error& e) {
    return make_error(StatusCode::kInternal, "evaluation failed in libtorch: ", e.what_without_backtrace());
  }
}

StatusOr<Tensor> trainer_forward(const Graph& graph, const Tensor& input) {
  try {
    QATRT_ASSIGN_OR_RETURN(std::unique_ptr<GraphModule> module, GraphModule::create(graph, {}));
    QATRT_ASSIGN_OR_RETURN(at::Tensor output, module->forward_output(to_torch(input)));
    return from_torch(output);
  } catch (const c10::Error& e) {
    return make_error(StatusCode::kInternal, "forward failed in libtorch: ", e.what_without_backtrace());
  }
}

}  // namespace qatrt
