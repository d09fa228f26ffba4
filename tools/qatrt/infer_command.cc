// qatrt infer --engine P --image I [--image I2 ...] [--labels L] [--topk 5] [--preprocess caffe|torch|tf]
//             [--threads T] [--backend cpu|reference]
// Classifies images with a plan and prints the top-k classes per image. Scores are probabilities: the
// model's own when it ends in Softmax (or its outputs already sum to 1), else the softmax of its logits —
// the output says which.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>

#include "cli_common.h"
#include "commands.h"
#include "data/labels.h"
#include "data/preprocess.h"
#include "layer_table.h"
#include "model_io.h"
#include "runtime/engine.h"

namespace qatrt::cli {
namespace {

struct InferOptions {
  std::string plan;
  std::vector<std::string> images;
  std::string labels;
  int topk = 5;
  std::string preprocess = "caffe";
  int threads = 0;
  std::string backend = "cpu";
};

// Turns each row of `scores` (batch × classes) into probabilities; returns how they were obtained.
std::string to_probabilities(const Graph& graph, std::vector<float>& scores, int64_t classes) {
  const int producer = graph.producer(graph.outputs[0]);
  if (producer >= 0 && graph.nodes[producer].op == Op::kSoftmax) return "probabilities (the model ends in Softmax)";
  bool already = true;
  for (size_t row = 0; row * classes < scores.size() && already; ++row) {
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c) {
      const float v = scores[row * classes + c];
      already = already && v >= 0.0f && v <= 1.0f;
      sum += v;
    }
    already = already && std::abs(sum - 1.0) < 1e-3;
  }
  if (already) return "probabilities (the model's outputs already sum to 1)";
  for (size_t row = 0; row * classes < scores.size(); ++row) {
    float* r = scores.data() + row * classes;
    const float top = *std::max_element(r, r + classes);
    double sum = 0;
    for (int64_t c = 0; c < classes; ++c) sum += r[c] = std::exp(r[c] - top);
    for (int64_t c = 0; c < classes; ++c) r[c] = static_cast<float>(r[c] / sum);
  }
  return "softmax of the model's logits";
}

std::string label_text(const std::vector<Label>& labels, int64_t index) {
  if (index >= static_cast<int64_t>(labels.size())) return "-";
  const Label& l = labels[index];
  return l.synset.empty() ? l.name : l.name + " (" + l.synset + ")";
}

int run_infer(const InferOptions& o) {
  Stopwatch total, step;
  auto preset = parse_preprocess_preset(o.preprocess);
  if (!preset.ok()) return fail(preset.status());
  std::vector<Label> labels;
  if (!o.labels.empty()) {
    auto loaded = load_labels(o.labels);
    if (!loaded.ok()) return fail(loaded.status());
    labels = std::move(loaded).value();
  }

  auto plan = read_plan_for_host(o.plan);
  if (!plan.ok()) return fail(plan.status());
  const double load_ms = step.ms();
  auto input = describe_image_input(plan->graph);
  if (!input.ok()) return fail(input.status());
  const Graph& g = plan->graph;
  if (g.outputs.size() != 1)
    return fail(make_error(StatusCode::kUnsupported, "infer reads one class-score output, the model has ",
                           g.outputs.size()));

  // Images before the engine: a bad image file is reported without waiting for kernel creation.
  step = Stopwatch();
  const PreprocessOptions pre = image_preprocessing(*input, *preset);
  auto tensor = load_image_batch(o.images, pre, o.threads);
  if (!tensor.ok()) return fail(tensor.status());
  const double preprocess_ms = step.ms();

  step = Stopwatch();
  auto engine = Engine::create(std::move(plan->graph), {.backend = o.backend, .threads = o.threads});
  if (!engine.ok()) return fail(engine.status());
  const auto batch = static_cast<int64_t>(o.images.size());
  auto context = (*engine)->create_context(batch);
  if (!context.ok()) return fail(context.status());
  const double engine_ms = step.ms();

  step = Stopwatch();
  auto outputs = (*context)->run({*tensor});
  if (!outputs.ok()) return fail(outputs.status());
  const double run_ms = step.ms();

  const Graph& graph = (*engine)->graph();
  const Tensor& out = outputs->at(0);
  if (out.dtype() != DType::kFloat32 || out.numel() % batch != 0)
    return fail(make_error(StatusCode::kUnsupported, "output ", dtype_name(out.dtype()), shape_to_string(out.shape()),
                           " is not float class scores for ", batch, " images"));
  const int64_t classes = out.numel() / batch;
  std::vector<float> scores(out.data<float>(), out.data<float>() + out.numel());
  const std::string kind = to_probabilities(graph, scores, classes);

  std::printf("plan %s: %s, backend %s, input %s %s, preprocessing %s (resize %d, crop %d)\n", o.plan.c_str(),
              graph.name.c_str(), o.backend.c_str(), input->channels_last ? "NHWC" : "NCHW",
              shape_to_string(tensor->shape()).c_str(), o.preprocess.c_str(), pre.resize, pre.crop);
  print_fallbacks(stdout, (*context)->assignments(), o.backend);
  if (!labels.empty() && static_cast<int64_t>(labels.size()) != classes)
    std::printf("warning: %zu labels for %lld classes; class i is shown with label i\n", labels.size(),
                static_cast<long long>(classes));
  std::printf("scores: %s\n", kind.c_str());
  const int k = static_cast<int>(std::min<int64_t>(o.topk, classes));
  for (int64_t n = 0; n < batch; ++n) {
    const float* row = scores.data() + n * classes;
    std::vector<int64_t> order(classes);
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [row](int64_t a, int64_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    std::printf("\n%s\n", o.images[n].c_str());
    std::printf("  %4s  %5s  %8s  %s\n", "rank", "class", "score", "label");
    for (int i = 0; i < k; ++i)
      std::printf("  %4d  %5lld  %8.5f  %s\n", i + 1, static_cast<long long>(order[i]), row[order[i]],
                  label_text(labels, order[i]).c_str());
  }
  std::printf("\ntimings: plan load %s, preprocessing %s (%lld images, %s threads), engine + context %s, "
              "inference %s (first run, batch %lld), total %s\n",
              format_ms(load_ms).c_str(), format_ms(preprocess_ms).c_str(), static_cast<long long>(batch),
              o.threads > 0 ? std::to_string(o.threads).c_str() : "all", format_ms(engine_ms).c_str(),
              format_ms(run_ms).c_str(), static_cast<long long>(batch), format_ms(total.ms()).c_str());
  return 0;
}

}  // namespace

void add_infer_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InferOptions>();
  CLI::App* cmd = app.add_subcommand("infer", "Classify images with a plan and print the top-k classes");
  cmd->add_option("--engine,--loadEngine", o->plan, "Plan file (from qatrt build)")->required();
  cmd->add_option("--image", o->images, "Image file (JPEG or PNG); repeat for a batch")->required();
  cmd->add_option("--labels", o->labels, "Labels: JSON array/object (Keras class_index) or one per line");
  cmd->add_option("--topk", o->topk, "Classes to print per image")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--preprocess", o->preprocess, "caffe (BGR, mean), torch (RGB, /255, mean/std), tf (RGB, mean)")
      ->check(CLI::IsMember({"caffe", "torch", "tf"}))
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads for decoding and the engine (0 = all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--backend", o->backend, "cpu (oneDNN), reference (naive oracle) or cuda (the whole plan on the GPU)")
      ->check(CLI::IsMember({"cpu", "reference", "cuda"}))
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_infer(*o); });
}

}  // namespace qatrt::cli
