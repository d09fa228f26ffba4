// Quantization-aware fine-tuning of a Q/DQ IR graph (sampleQAT's step 1, in C++ with libtorch), and the
// trainer's own inference for comparison with the exported model. This header has no libtorch types, so
// the CLI and the tests include it without libtorch headers.
//
// The loop: per step, one batch from the seeded epoch order (training_data.h), forward in training mode,
// cross entropy with optional label smoothing on the logits before the graph's final Softmax, backward,
// SGD with momentum and weight decay (decay on Conv/Gemm/MatMul weights only; not on biases, BN scale/shift
// or learned ranges), learning rate per step from the schedule. Checkpoints every N steps and at the end
// (checkpoint.h); a resumed run continues from the checkpoint's step with the same data and the same state.
// Deterministic mode: torch deterministic algorithms, a fixed thread count; data order and augmentation
// depend only on the seed, so two runs with the same options produce the same weights bit for bit.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "core/tensor.h"
#include "ir/graph.h"
#include "train/training_data.h"

namespace qatrt {

enum class LrSchedule { kCosine, kStep };
StatusOr<LrSchedule> parse_lr_schedule(const std::string& name);  // "cosine", "step"

struct TrainOptions {
  int64_t epochs = 1;
  int64_t batch = 32;
  double lr = 1e-3;
  double momentum = 0.9;
  double weight_decay = 1e-4;
  LrSchedule schedule = LrSchedule::kCosine;  // cosine: lr·(1 + cos(π·step/steps))/2; step: see below
  int64_t lr_step_epochs = 1;                 // step schedule: multiply by lr_step_gamma every this many epochs
  double lr_step_gamma = 0.1;
  double label_smoothing = 0.0;
  bool freeze_bn = false;     // BN in eval mode (running statistics) instead of batch statistics
  bool learn_amax = false;    // activation ranges trained (PACT-style gradient, fake_quantize.h)
  float bn_momentum = 0.99f;  // for BN nodes without a momentum attribute (Keras default)
  uint64_t seed = 0;
  bool deterministic = false;
  int threads = 0;            // intra-op threads (0 = libtorch's default, or 1 in deterministic mode)
  std::string device = "cpu";  // "cpu", "cuda" or "cuda:K"
  // Data parallelism, one process per device (data_parallel_group.h): this process is `rank` of `world_size`,
  // all meet at `rendezvous` (a shared directory or tcp://HOST:PORT). `batch` is per process: step s of a run
  // of world size N trains on the same N·batch images as step s of one process with batch N·batch, each rank
  // on its own contiguous shard; gradients are averaged (weighted by shard size when the last batch of an
  // epoch is short), so with frozen BN the result is one process's up to float summation order. Training-mode
  // BN normalises with each rank's own batch statistics (as PyTorch's DDP without SyncBatchNorm). Rank 0
  // alone writes checkpoints and the log; the meters and images/s are global.
  int rank = 0;
  int world_size = 1;
  std::string rendezvous;
  // Forward pass under bfloat16 autocast (convolutions and matrix products in bf16, the rest — BN, fake
  // quantization, the loss — in float32). bf16 keeps float32's exponent range, so no loss scaling is needed.
  bool mixed_precision = false;
  std::string checkpoint_dir;  // empty = no checkpoints
  int64_t checkpoint_every = 0;  // steps; 0 = only at the end
  std::string resume;          // a checkpoint file, or a checkpoint_dir holding latest.ckpt
  int64_t max_steps = 0;       // stop after this many steps of this invocation (0 = run to the end)
  std::string log_path;        // JSON lines: one record every log_every steps and one per epoch
  int64_t log_every = 10;
  bool progress = true;
};

struct TrainSummary {
  int64_t first_step = 0;  // the step this invocation started from (non-zero when resumed)
  int64_t steps = 0;       // global step count reached
  int64_t total_steps = 0;
  double last_loss = 0;    // mean loss of the last epoch (or of this invocation's steps when it stopped early)
  double last_top1 = 0;
  double images_per_second = 0;
};

// `graph`: a Q/DQ graph (insert_qdq + calibration, or an imported Q/DQ ONNX). On success it is replaced by
// the trained graph: new weights, BN parameters and statistics, quantizer scales (ready for export).
StatusOr<TrainSummary> train_qat(Graph& graph, const BatchSource& data, const TrainOptions& options);

// The trainer's eval-mode forward of `graph` (float fake quantization; the graph's own output, final Softmax
// included): what an exported model must reproduce.
StatusOr<Tensor> trainer_forward(const Graph& graph, const Tensor& input);

// Top-1 / top-5 of the trainer's eval-mode forward over a whole data set (in order, no augmentation
// expected): the "QAT fake-quant (libtorch)" column of the sampleQAT table.
struct TrainerAccuracy {
  std::vector<int64_t> top1;  // predicted class per image
  int64_t top1_hits = 0, top5_hits = 0;
  double images_per_second = 0;
};
StatusOr<TrainerAccuracy> trainer_evaluate(const Graph& graph, const BatchSource& data, int64_t batch, bool progress);

// CUDA devices this libtorch sees (0 without CUDA support).
int cuda_device_count();
// Whether this build can train data-parallel on `device` ("cpu", "cuda", "cuda:K"), with the reason when not.
Status check_data_parallel_support(const std::string& device);

// The checkpoint file a checkpoint directory holds.
std::string checkpoint_file(const std::string& checkpoint_dir);

}  // namespace qatrt
