// The trainer through its libtorch-free API: it learns, a resumed run equals an uninterrupted one bit for
// bit, checkpoints round-trip and are never half written, the export reproduces the trainer's forward, and
// unsupported graphs are refused with the node named.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "train/checkpoint.h"
#include "train/trainer.h"
#include "unit/train/train_test_util.h"

namespace qatrt {
namespace {

using train_test::SyntheticImages;

TrainOptions deterministic_options(int64_t epochs) {
  TrainOptions o;
  o.epochs = epochs;
  o.batch = 8;
  o.lr = 0.05;
  o.seed = 7;
  o.deterministic = true;
  o.threads = 1;
  o.progress = false;
  return o;
}

// Every float constant of both graphs and every Q/DQ attribute, compared exactly.
void expect_identical_graphs(const Graph& a, const Graph& b) {
  ASSERT_EQ(a.values.size(), b.values.size());
  for (size_t v = 0; v < a.values.size(); ++v) {
    const auto& ca = a.values[v].constant;
    if (!ca || ca->dtype() != DType::kFloat32) continue;
    ASSERT_TRUE(b.values[v].constant.has_value()) << a.values[v].name;
    auto x = ca->to_float_vector(), y = b.values[v].constant->to_float_vector();
    ASSERT_EQ(x.size(), y.size()) << a.values[v].name;
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(x[i], y[i]) << a.values[v].name << "[" << i << "]";
  }
  ASSERT_EQ(a.nodes.size(), b.nodes.size());
  for (size_t n = 0; n < a.nodes.size(); ++n)
    if (a.nodes[n].op == Op::kQuantizeLinear || a.nodes[n].op == Op::kDequantizeLinear)
      ASSERT_EQ(a.nodes[n].attr_floats("scale"), b.nodes[n].attr_floats("scale")) << a.nodes[n].describe();
}

TEST(Trainer, LearnsTheSyntheticTask) {
  Graph graph = train_test::small_cnn();
  SyntheticImages data(64);
  TrainOptions o = deterministic_options(6);
  auto summary = train_qat(graph, data, o);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_EQ(summary->steps, 6 * 8);
  // Four balanced classes: chance is 25 %; the last epoch's training top-1 must be far above it.
  EXPECT_GT(summary->last_top1, 0.8) << "loss " << summary->last_loss;
}

// The bf16 autocast path (CPU here; the same code runs under CUDA autocast on a GPU): it must still learn.
TEST(Trainer, LearnsUnderBfloat16Autocast) {
  Graph graph = train_test::small_cnn();
  SyntheticImages data(64);
  TrainOptions o = deterministic_options(6);
  o.mixed_precision = true;
  auto summary = train_qat(graph, data, o);
  ASSERT_TRUE(summary.ok()) << summary.status().to_string();
  EXPECT_GT(summary->last_top1, 0.8) << "loss " << summary->last_loss;
  // Autocast really ran: the same run in float32 ends with other weights.
  Graph float_graph = train_test::small_cnn();
  o.mixed_precision = false;
  ASSERT_TRUE(train_qat(float_graph, data, o).ok());
  const ValueId w = graph.find_value("conv2_w");
  ASSERT_NE(w, kNoValue);
  EXPECT_NE(graph.value(w).constant->to_float_vector(), float_graph.value(w).constant->to_float_vector());
}

TEST(Trainer, ResumedRunEqualsUninterruptedRun) {
  testing::TempDir dir;
  SyntheticImages data(20);  // 3 steps per epoch of 8 (the last one holds 4 images)
  Graph uninterrupted = train_test::small_cnn();
  TrainOptions full = deterministic_options(2);
  full.learn_amax = true;       // the learned ranges and their momentum must resume too
  full.label_smoothing = 0.1;
  full.checkpoint_dir = dir.file("full");
  ASSERT_TRUE(train_qat(uninterrupted, data, full).ok());

  // Interrupted mid-epoch (after step 4 of 6), then resumed from the checkpoint in a new call.
  for (int64_t stop : {1, 4}) {
    SCOPED_TRACE("interrupted after step " + std::to_string(stop));
    TrainOptions first = full;
    first.checkpoint_dir = dir.file("split" + std::to_string(stop));
    first.checkpoint_every = 1;
    first.max_steps = stop;
    Graph before = train_test::small_cnn();
    auto part = train_qat(before, data, first);
    ASSERT_TRUE(part.ok()) << part.status().to_string();
    ASSERT_EQ(part->steps, stop);
    TrainOptions second = full;
    second.checkpoint_dir = first.checkpoint_dir;
    second.resume = first.checkpoint_dir;
    Graph resumed = train_test::small_cnn();
    auto rest = train_qat(resumed, data, second);
    ASSERT_TRUE(rest.ok()) << rest.status().to_string();
    EXPECT_EQ(rest->first_step, stop);
    EXPECT_EQ(rest->steps, 6);
    expect_identical_graphs(resumed, uninterrupted);
  }
}

TEST(Trainer, ResumeRefusesAnotherRunsCheckpoint) {
  testing::TempDir dir;
  SyntheticImages data(16);
  Graph graph = train_test::small_cnn();
  TrainOptions o = deterministic_options(1);
  o.checkpoint_dir = dir.path().string();
  ASSERT_TRUE(train_qat(graph, data, o).ok());
  o.batch = 4;
  o.resume = dir.path().string();
  Graph again = train_test::small_cnn();
  auto refused = train_qat(again, data, o);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("another run"), std::string::npos) << refused.status().to_string();
}

TEST(Checkpoint, RoundTripAndCorruption) {
  testing::TempDir dir;
  Checkpoint c;
  c.state = {{"step", 12}, {"note", "x"}};
  c.tensors["value/w"] = train_test::random_tensor({3, 2, 2}, 5, 1.0f);
  c.tensors["amax/q"] = Tensor::scalar(2.5f);
  const std::string path = dir.file("sub/latest.ckpt");
  ASSERT_TRUE(write_checkpoint(c, path).ok());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp")) << "the temporary file must be renamed away";
  auto back = read_checkpoint(path);
  ASSERT_TRUE(back.ok()) << back.status().to_string();
  EXPECT_EQ(back->state, c.state);
  ASSERT_EQ(back->tensors.size(), 2u);
  for (const auto& [name, tensor] : c.tensors) {
    ASSERT_EQ(back->tensors.at(name).shape(), tensor.shape()) << name;
    EXPECT_EQ(back->tensors.at(name).to_float_vector(), tensor.to_float_vector()) << name;
  }
  // Every truncation (a kill -9 during a plain write would leave one) and a flipped byte are refused.
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string damaged = dir.file("damaged.ckpt");
  for (size_t keep = 0; keep < bytes.size(); keep += 7) {
    std::ofstream(damaged, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(keep));
    auto read = read_checkpoint(damaged);
    ASSERT_FALSE(read.ok()) << "truncated to " << keep << " of " << bytes.size() << " bytes";
    EXPECT_EQ(read.status().code(), StatusCode::kCorrupt) << read.status().to_string();
  }
  for (size_t at = 0; at < bytes.size(); at += 13) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x20);
    std::ofstream(damaged, std::ios::binary | std::ios::trunc).write(flipped.data(), static_cast<std::streamsize>(flipped.size()));
    EXPECT_FALSE(read_checkpoint(damaged).ok()) << "byte " << at << " flipped";
  }
}

// kill -9 at random moments of a process that keeps saving: the checkpoint on disk is always whole (one of
// the versions written, its tensor matching its step), never a mix or a torn file.
TEST(Checkpoint, KillDuringSaveNeverLeavesACorruptCheckpoint) {
  testing::TempDir dir;
  const std::string path = dir.file("latest.ckpt");
  std::mt19937 rng(3);
  for (int round = 0; round < 12; ++round) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {  // saves versions 1, 2, 3 … until killed; each tensor is filled with its version
      for (int version = 1;; ++version) {
        Checkpoint c;
        c.state = {{"step", version}};
        c.tensors["value/w"] = train_test::filled({1 << 20}, static_cast<float>(version));
        if (!write_checkpoint(c, path).ok()) _exit(1);
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + rng() % 80));
    kill(child, SIGKILL);
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status)) << "the writer stopped by itself (exit " << WEXITSTATUS(status) << ")";
    if (!std::filesystem::exists(path)) continue;  // killed before the first rename
    auto read = read_checkpoint(path);
    ASSERT_TRUE(read.ok()) << "round " << round << ": " << read.status().to_string();
    const float version = static_cast<float>(read->state.at("step").get<int>());
    for (float v : read->tensors.at("value/w").to_float_vector()) ASSERT_EQ(v, version) << "round " << round;
  }
}

// train → export (both weight formats) → import → qatrt's reference backend, against the trainer's own
// eval-mode forward of the trained graph.
//
// Tolerance: both sides compute every Q/DQ exactly (same float division, ties to even), but the Conv and
// Gemm sums run in different orders (libtorch's kernels vs the reference loops), which moves a float sum by
// a few ulps; when that lands on a rounding boundary of the next quantizer, one int8 value moves by one step
// s_x. Through the classifier, one such flip moves a logit by at most s_fc_in · max|W_fc|, and the softmax
// probabilities by at most half of that. Allowed: 2 flips in the classifier input (more would mean a real
// disagreement), otherwise float noise (1e-5).
TEST(TrainerExport, ExportedModelReproducesTheTrainersForward) {
  testing::TempDir dir;
  SyntheticImages data(32);
  Graph graph = train_test::small_cnn();
  TrainOptions o = deterministic_options(1);
  ASSERT_TRUE(train_qat(graph, data, o).ok());

  auto batch = data.load({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 99);
  ASSERT_TRUE(batch.ok());
  auto expected = trainer_forward(graph, batch->images);
  ASSERT_TRUE(expected.ok()) << expected.status().to_string();

  float fc_in_scale = 0, fc_w_max = 0;
  for (const Node& node : graph.nodes)
    if (node.op == Op::kQuantizeLinear && graph.consumers(node.outputs[0]).size() == 1) {
      const Node& dq = graph.nodes[static_cast<size_t>(graph.consumers(node.outputs[0])[0])];
      for (int reader : graph.consumers(dq.outputs[0]))
        if (graph.nodes[static_cast<size_t>(reader)].name == "fc") {
          if (graph.is_constant(node.inputs[0])) {
            for (float w : graph.value(node.inputs[0]).constant->to_float_vector()) fc_w_max = std::max(fc_w_max, std::fabs(w));
          } else {
            fc_in_scale = node.attr_floats("scale").at(0);
          }
        }
    }
  ASSERT_GT(fc_in_scale, 0.0f);
  ASSERT_GT(fc_w_max, 0.0f);
  const float tolerance = 1e-5f + 2 * fc_in_scale * fc_w_max * 0.5f;

  for (WeightFormat format : {WeightFormat::kFloatWithQdq, WeightFormat::kInt8}) {
    SCOPED_TRACE(format == WeightFormat::kInt8 ? "int8 weights" : "float weights + Q/DQ");
    Graph imported = testing::export_and_reimport(graph, format, dir);
    auto got = testing::run_reference(imported, {batch->images});
    ASSERT_EQ(got.size(), 1u);
    auto a = got[0].to_float_vector(), b = expected->to_float_vector();
    ASSERT_EQ(a.size(), b.size());
    float worst = 0;
    size_t worst_at = 0, exact = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::fabs(a[i] - b[i]) > worst) worst = std::fabs(a[i] - b[i]), worst_at = i;
      exact += a[i] == b[i];
    }
    std::cout << "[ info ] max |reference - trainer| = " << worst << " (tolerance " << tolerance << "), " << exact << "/"
              << a.size() << " outputs identical\n";
    EXPECT_LE(worst, tolerance) << "output " << worst_at << ": reference " << a[worst_at] << ", trainer " << b[worst_at]
                                << "; s_fc_in " << fc_in_scale << ", max|W_fc| " << fc_w_max;
    // The imported model through the trainer: with float weights, export + import changes nothing the trainer
    // computes with. (int8 weights come back as q·s, whose recomputed scale may differ from s by an ulp.)
    auto again = trainer_forward(imported, batch->images);
    ASSERT_TRUE(again.ok()) << again.status().to_string();
    if (format == WeightFormat::kFloatWithQdq) EXPECT_EQ(again->to_float_vector(), expected->to_float_vector());
  }
}

TEST(TrainerErrors, UnsupportedOpIsNamed) {
  Graph graph = train_test::small_cnn(false);
  for (Node& node : graph.nodes)
    if (node.name == "conv2") node.op = Op::kFusedConv;  // what `qatrt build` makes: not a trainable graph
  SyntheticImages data(8);
  auto result = train_qat(graph, data, deterministic_options(1));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(result.status().message().find("node 'conv2' (qatrt.FusedConv)"), std::string::npos) << result.status().to_string();
  EXPECT_NE(result.status().message().find("not supported by the trainer"), std::string::npos) << result.status().to_string();
}

TEST(TrainerErrors, AsymmetricQuantizerIsNamed) {
  Graph graph = train_test::small_cnn();
  for (Node& node : graph.nodes)
    if (node.op == Op::kQuantizeLinear && !graph.is_constant(node.inputs[0])) {
      node.attrs["output_dtype"] = static_cast<int64_t>(DType::kUInt8);
      auto result = trainer_forward(graph, train_test::random_tensor({1, 3, train_test::kSide, train_test::kSide}, 1, 1.0f));
      ASSERT_FALSE(result.ok());
      EXPECT_NE(result.status().message().find(node.describe()), std::string::npos) << result.status().to_string();
      EXPECT_NE(result.status().message().find("symmetric int8"), std::string::npos) << result.status().to_string();
      return;
    }
  FAIL() << "no activation quantizer in the test graph";
}

TEST(TrainerErrors, BadOptionsAreRefused) {
  Graph graph = train_test::small_cnn();
  SyntheticImages data(8);
  TrainOptions o = deterministic_options(1);
  o.label_smoothing = 1.0;
  EXPECT_FALSE(train_qat(graph, data, o).ok());
  o = deterministic_options(1);
  o.device = "tpu";
  EXPECT_FALSE(train_qat(graph, data, o).ok());
  EXPECT_FALSE(parse_lr_schedule("linear").ok());
}

}  // namespace
}  // namespace qatrt
