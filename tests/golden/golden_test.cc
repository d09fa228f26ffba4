// Golden tests: real Q/DQ models exported by PyTorch the way NVIDIA pytorch-quantization places Q/DQ
// (scripts/export_torch_qdq.py: a ResNet-50 and small CNNs aimed at single paths), built with
// `qatrt build --int8` / `--fp32`, run by qatrt's engine and by ONNX Runtime (scripts/ort_run.js) on the
// same preprocessed tensors. Each case asserts, per image, the same top-1 as ORT and a bounded
// max |delta logit| (bounds below), for batch 1 and for all images in one batch.
//
// Every case exports its own model into its own folder (ctest runs cases in parallel), which needs
// /usr/bin/python3 with torch, onnx and skimage, node, and tools/ort installed (scripts/install-deps.sh).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "golden_artifacts.h"
#include "logit_comparison.h"
#include "plan/plan.h"
#include "runtime/engine.h"

namespace qatrt::golden {
namespace {

struct GoldenCase {
  std::string name;
  std::string model;                  // export_torch_qdq.py --model
  std::vector<std::string> export_flags;
  std::vector<std::string> backends;  // qatrt backends run on the INT8 plan
  bool fp32 = false;                  // also build --fp32 and compare with torch's weight-only logits
};

// The reference backend is the naive oracle: cheap on the small models, minutes on ResNet-50.
const std::vector<GoldenCase> kCases = {
    {"resnet50", "resnet50", {}, {"cpu"}, true},
    {"basic", "basic", {}, {"cpu", "reference"}, true},
    {"basic_separate_amax", "basic", {"--separate-amax"}, {"cpu", "reference"}, false},
    {"basic_folded_bn", "basic", {"--fold-bn"}, {"cpu", "reference"}, false},
    {"basic_uint8", "basic_uint8", {}, {"cpu", "reference"}, false},
    {"grouped", "grouped", {}, {"cpu", "reference"}, true},
    {"stride_pad", "stride_pad", {}, {"cpu", "reference"}, false},
};

constexpr int kThreads = 2;

// INT8 bound. qatrt and ORT implement the same Q/DQ semantics but round differently in float (requantize
// scale products, accumulation order, BatchNorm folded into the per-channel scale): a value within ~1e-6
// (relative) of a .5 tie quantizes to the neighbouring integer, and the layers after it amplify that one
// step. The exporter measures this model's amplification (rounding_sensitivity: every activation scale
// perturbed by 1e-6 and 1e-5), and torch vs ORT is a second, independent measurement of two correct
// implementations. Allow twice the larger of the two, plus 1e-3 of the logit scale for float differences
// that round no tie. A wrong kernel (padding, zero point, channel scale, dropped residual) moves logits by
// O(1) on these models (e.g. a dropped uint8 zero point: 13.8; one residual at half scale in ResNet-50: 17),
// while their top-1 margins are 0.3 or more (the nearest-prototype head of torch_qdq/calibrate.py). Subtler
// single-layer errors in ResNet-50 (a BN shift dropped in one conv: 0.18) hide under its bound of ~0.38; the
// basic models (bounds ~0.02) and the unit tests catch those.
float int8_tolerance(double sensitivity, float torch_vs_ort, float logit_scale) {
  return 2.0f * std::max(static_cast<float>(sensitivity), torch_vs_ort) + 1e-3f * logit_scale;
}

// FP32 bound: no rounding to integers, only float reassociation (oneDNN's conv algorithms vs torch's);
// torch vs ORT on the FP32 ResNet-50 export differ by ~2e-5 of the logit scale. 2e-3 leaves room for other
// conv algorithms and still catches a wrong dequantized weight or a dropped bias.
float fp32_tolerance(float logit_scale) { return 2e-3f * logit_scale; }

std::string test_name(const ::testing::TestParamInfo<GoldenCase>& info) { return info.param.name; }
// ctest shows this after the test name (gtest_discover_tests appends "# GetParam() = ...").
void PrintTo(const GoldenCase& c, std::ostream* os) { *os << c.name; }

class GoldenModel : public ::testing::TestWithParam<GoldenCase> {
 protected:
  void SetUp() override {
    const GoldenCase& c = GetParam();
    work_dir_ = std::string(QATRT_GOLDEN_WORK_DIR) + "/" + c.name;
    std::filesystem::remove_all(work_dir_);
    std::filesystem::create_directories(work_dir_);
    model_dir_ = work_dir_ + "/" + c.model;

    std::vector<std::string> export_command = {python_program(), source("scripts/export_torch_qdq.py"), "--model",
                                               c.model, "--out", work_dir_, "--threads", std::to_string(kThreads)};
    export_command.insert(export_command.end(), c.export_flags.begin(), c.export_flags.end());
    run_or_fail(shell_command(export_command), "export");
    if (HasFatalFailure()) return;
    std::string error;
    ASSERT_TRUE(read_manifest(model_dir_, manifest_, error)) << error;
    sample_size_ = manifest_.input_shape[0] * manifest_.input_shape[1] * manifest_.input_shape[2];

    std::vector<std::string> ort_command = {node_program(), source("scripts/ort_run.js"), "--model",
                                            model_dir_ + "/qdq.onnx", "--outdir", model_dir_ + "/ort", "--threads",
                                            std::to_string(kThreads)};
    for (const ImageEntry& image : manifest_.images) ort_command.push_back(model_dir_ + "/" + image.input);
    run_or_fail(shell_command(ort_command), "ort_run");
    if (HasFatalFailure()) return;

    for (const ImageEntry& image : manifest_.images) {
      inputs_.push_back(read_or_fail(model_dir_ + "/" + image.input, sample_size_));
      torch_.push_back(read_or_fail(model_dir_ + "/" + image.torch_logits, manifest_.num_classes));
      torch_weight_only_.push_back(
          read_or_fail(model_dir_ + "/" + image.torch_weight_only_logits, manifest_.num_classes));
      ort_.push_back(read_or_fail(model_dir_ + "/ort/" + std::filesystem::path(image.input).filename().string(),
                                  manifest_.num_classes));
      if (HasFatalFailure()) return;
    }
  }

  static std::string source(const std::string& relative) { return std::string(QATRT_SOURCE_DIR) + "/" + relative; }

  void run_or_fail(const std::string& command, const std::string& step) {
    const auto start = std::chrono::steady_clock::now();
    const CommandResult result = run_command(command, work_dir_ + "/" + step + ".log");
    const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
    std::printf("%s: %.1f s\n", step.c_str(), seconds.count());
    ASSERT_EQ(result.exit_code, 0) << step << " failed: " << command << "\n" << result.output;
  }

  std::vector<float> read_or_fail(const std::string& path, int64_t count) {
    std::vector<float> values;
    std::string error;
    EXPECT_TRUE(read_f32(path, count, values, error)) << error;
    return values;
  }

  void build_plan(const std::string& precision_flag, const std::string& plan_path) {
    run_or_fail(shell_command({QATRT_CLI, "build", "--onnx", model_dir_ + "/qdq.onnx", "--saveEngine", plan_path,
                               precision_flag}),
                "build" + precision_flag);
  }

  // Runs every image through the plan `batch` at a time (batch 1, or all images in one batch).
  std::vector<std::vector<float>> run_plan(const std::string& plan_path, const std::string& backend, int64_t batch) {
    std::vector<std::vector<float>> rows;
    auto plan = read_plan(plan_path, host_cpu_target());
    EXPECT_TRUE(plan.ok()) << plan.status().to_string();
    if (!plan.ok()) return rows;
    auto engine = Engine::create(std::move(plan->graph), {.backend = backend, .threads = kThreads});
    EXPECT_TRUE(engine.ok()) << engine.status().to_string();
    if (!engine.ok()) return rows;
    auto context = (*engine)->create_context(batch);
    EXPECT_TRUE(context.ok()) << context.status().to_string();
    if (!context.ok()) return rows;

    for (size_t first = 0; first < inputs_.size(); first += static_cast<size_t>(batch)) {
      Tensor input(DType::kFloat32, {batch, manifest_.input_shape[0], manifest_.input_shape[1],
                                     manifest_.input_shape[2]});
      const size_t count = std::min(inputs_.size() - first, static_cast<size_t>(batch));
      for (size_t i = 0; i < count; ++i) {
        std::copy(inputs_[first + i].begin(), inputs_[first + i].end(),
                  input.data<float>() + static_cast<int64_t>(i) * sample_size_);
      }
      auto outputs = (*context)->run({input});
      EXPECT_TRUE(outputs.ok()) << outputs.status().to_string();
      if (!outputs.ok()) return {};
      EXPECT_EQ(outputs->size(), 1u);
      const Tensor& logits = outputs->front();
      EXPECT_EQ(logits.shape(), (Shape{batch, manifest_.num_classes}));
      if (logits.numel() != batch * manifest_.num_classes || logits.dtype() != DType::kFloat32) return {};
      for (size_t i = 0; i < count; ++i) {
        const float* row = logits.data<float>() + static_cast<int64_t>(i) * manifest_.num_classes;
        rows.emplace_back(row, row + manifest_.num_classes);
      }
    }
    return rows;
  }

  LogitComparison compare(const std::string& title, const std::vector<std::vector<float>>& reference,
                          const std::vector<std::vector<float>>& candidate) {
    LogitComparison comparison{title, {}};
    for (size_t i = 0; i < reference.size(); ++i) {
      comparison.images.push_back(compare_logits(manifest_.images[i].name, reference[i],
                                                 i < candidate.size() ? candidate[i] : std::vector<float>{}));
    }
    return comparison;
  }

  void expect_within(const LogitComparison& comparison, float tolerance, const std::string& bound) {
    std::printf("%s  bound %.6g = %s\n\n", comparison.table().c_str(), tolerance, bound.c_str());
    EXPECT_TRUE(comparison.top1_agrees()) << comparison.table();
    EXPECT_LE(comparison.max_abs_diff(), tolerance) << comparison.table() << "bound: " << bound;
  }

  std::string work_dir_, model_dir_;
  Manifest manifest_;
  int64_t sample_size_ = 0;
  std::vector<std::vector<float>> inputs_, torch_, torch_weight_only_, ort_;
};

TEST_P(GoldenModel, MatchesOnnxRuntime) {
  const GoldenCase& c = GetParam();
  std::printf("%s: %s, BatchNorm %s, %zu images, rounding sensitivity %.4g\n", c.name.c_str(),
              manifest_.model.c_str(), manifest_.batchnorm.c_str(), manifest_.images.size(),
              manifest_.rounding_sensitivity);

  // The peers first: torch and ORT must agree on top-1, or the images cannot decide anything.
  const LogitComparison torch_vs_ort = compare(c.name + " Q/DQ: torch fake-quant vs ONNX Runtime", ort_, torch_);
  std::printf("%s\n", torch_vs_ort.table().c_str());
  ASSERT_TRUE(torch_vs_ort.top1_agrees()) << "the peers disagree; the test data is ambiguous";

  const float logit_scale = max_abs(ort_);
  const float tolerance = int8_tolerance(manifest_.rounding_sensitivity, torch_vs_ort.max_abs_diff(), logit_scale);
  char bound[200];
  std::snprintf(bound, sizeof bound, "2 x max(rounding sensitivity %.4g, torch-vs-ORT %.4g) + 1e-3 x max|logit| %.4g",
                manifest_.rounding_sensitivity, torch_vs_ort.max_abs_diff(), logit_scale);

  const std::string int8_plan = model_dir_ + "/int8.plan";
  build_plan("--int8", int8_plan);
  if (HasFatalFailure()) return;
  const auto all = static_cast<int64_t>(inputs_.size());
  for (const std::string& backend : c.backends) {
    for (int64_t batch : {int64_t{1}, all}) {
      const auto rows = run_plan(int8_plan, backend, batch);
      expect_within(compare(c.name + " INT8: qatrt " + backend + " batch " + std::to_string(batch) +
                                " vs ONNX Runtime", ort_, rows),
                    tolerance, bound);
    }
  }

  if (!c.fp32) return;
  const std::string fp32_plan = model_dir_ + "/fp32.plan";
  build_plan("--fp32", fp32_plan);
  if (HasFatalFailure()) return;
  const float weight_only_scale = max_abs(torch_weight_only_);
  std::snprintf(bound, sizeof bound, "2e-3 x max|logit| %.4g", weight_only_scale);
  for (int64_t batch : {int64_t{1}, all}) {
    const auto rows = run_plan(fp32_plan, "cpu", batch);
    expect_within(compare(c.name + " FP32 plan: qatrt cpu batch " + std::to_string(batch) +
                              " vs torch (weight quantizers only)", torch_weight_only_, rows),
                  fp32_tolerance(weight_only_scale), bound);
  }
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenModel, ::testing::ValuesIn(kCases), test_name);

}  // namespace
}  // namespace qatrt::golden
