// qatrt eval --engine P [--engine P2 ...] --data DIR [--preprocess caffe] [--batch 16] [--json F]
// Top-1 / top-5 of each plan on a labelled image folder (DIR/labels.txt: "relative/path class" per line), the
// same images and preprocessing for every column, and each plan's top-1 agreement with the first one.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_common.h"
#include "commands.h"
#include "core/progress.h"
#include "data/preprocess.h"
#include "model_io.h"
#include "runtime/engine.h"

namespace qatrt::cli {
namespace {

struct EvalOptions {
  std::vector<std::string> plans;
  std::string data, preprocess = "caffe", json, backend = "cpu";
  int batch = 16;
  int threads = 0;
  int limit = 0;
};

struct LabelledImages {
  std::vector<std::string> paths;
  std::vector<int64_t> classes;
};

StatusOr<LabelledImages> read_labelled_folder(const std::string& dir, int limit) {
  std::string list = (std::filesystem::path(dir) / "labels.txt").string();
  std::ifstream in(list);
  if (!in) return make_error(StatusCode::kNotFound, "'", list, "' not found: eval needs DIR/labels.txt with 'path class' lines");
  LabelledImages set;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string path;
    int64_t cls = -1;
    if (!(fields >> path >> cls) || cls < 0)
      return make_error(StatusCode::kInvalidArgument, list, ":", number, ": expected 'relative/path class', got '", line, "'");
    set.paths.push_back((std::filesystem::path(dir) / path).string());
    set.classes.push_back(cls);
    if (limit > 0 && static_cast<int>(set.paths.size()) == limit) break;
  }
  if (set.paths.empty()) return make_error(StatusCode::kNotFound, "'", list, "' lists no images");
  return set;
}

struct PlanResult {
  std::string plan;
  std::vector<int64_t> top1;
  int64_t top1_hits = 0, top5_hits = 0;
  double seconds = 0;
};

StatusOr<PlanResult> evaluate_plan(const std::string& path, const LabelledImages& set, const EvalOptions& o,
                                   PreprocessPreset preset) {
  QATRT_ASSIGN_OR_RETURN(Plan plan, read_plan_for_host(path));
  QATRT_ASSIGN_OR_RETURN(ImageInput input, describe_image_input(plan.graph));
  PreprocessOptions pre{.preset = preset, .resize = static_cast<int>(std::lround(input.size * 256.0 / 224.0)),
                        .crop = input.size, .channels_last = input.channels_last};
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(std::move(plan.graph), {.backend = o.backend, .threads = o.threads}));
  PlanResult result{.plan = path};
  ProgressBar progress("eval " + base_name(path), static_cast<int64_t>(set.paths.size()));
  std::unique_ptr<ExecutionContext> context;
  Stopwatch clock;
  for (size_t begin = 0; begin < set.paths.size(); begin += static_cast<size_t>(o.batch)) {
    size_t count = std::min(set.paths.size() - begin, static_cast<size_t>(o.batch));
    if (!context || context->batch() != static_cast<int64_t>(count)) {
      QATRT_ASSIGN_OR_RETURN(context, engine->create_context(static_cast<int64_t>(count)));
    }
    QATRT_ASSIGN_OR_RETURN(Tensor images, load_image_batch(std::span(set.paths).subspan(begin, count), pre, o.threads));
    QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, context->run({images}));
    const Tensor& scores = outputs.at(0);
    const int64_t classes = scores.numel() / static_cast<int64_t>(count);
    for (size_t n = 0; n < count; ++n) {
      const float* row = scores.data<float>() + n * classes;
      std::vector<int64_t> order(static_cast<size_t>(classes));
      for (int64_t c = 0; c < classes; ++c) order[c] = c;
      std::partial_sort(order.begin(), order.begin() + 5, order.end(),
                        [row](int64_t a, int64_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
      int64_t truth = set.classes[begin + n];
      result.top1.push_back(order[0]);
      result.top1_hits += order[0] == truth;
      result.top5_hits += std::find(order.begin(), order.begin() + 5, truth) != order.begin() + 5;
    }
    progress.advance(static_cast<int64_t>(count));
  }
  progress.finish();
  result.seconds = clock.ms() / 1000.0;
  return result;
}

int run_eval(const EvalOptions& o) {
  auto preset = parse_preprocess_preset(o.preprocess);
  if (!preset.ok()) return fail(preset.status());
  auto set = read_labelled_folder(o.data, o.limit);
  if (!set.ok()) return fail(set.status());
  const double n = static_cast<double>(set->paths.size());
  std::vector<PlanResult> results;
  for (const std::string& plan : o.plans) {
    auto result = evaluate_plan(plan, *set, o, *preset);
    if (!result.ok()) return fail(result.status().with_context(plan));
    results.push_back(std::move(result).value());
  }
  std::printf("\n%zu images from %s, preprocess %s, backend %s\n", set->paths.size(), o.data.c_str(),
              o.preprocess.c_str(), o.backend.c_str());
  std::printf("%-40s %8s %8s %10s %18s\n", "plan", "top-1", "top-5", "images/s", "top-1 agrees w/ 1st");
  nlohmann::json json = nlohmann::json::array();
  for (const PlanResult& r : results) {
    int64_t agree = 0;
    for (size_t i = 0; i < r.top1.size(); ++i) agree += r.top1[i] == results[0].top1[i];
    std::printf("%-40s %7.2f%% %7.2f%% %10.1f %17.2f%%\n", base_name(r.plan).c_str(), 100.0 * r.top1_hits / n,
                100.0 * r.top5_hits / n, n / r.seconds, 100.0 * agree / n);
    json.push_back({{"plan", r.plan}, {"images", set->paths.size()}, {"top1", r.top1_hits / n}, {"top5", r.top5_hits / n},
                    {"images_per_second", n / r.seconds}, {"top1_agreement_with_first", agree / n}});
  }
  if (!o.json.empty()) {
    std::ofstream out(o.json);
    out << json.dump(2) << "\n";
    if (!out) return fail(make_error(StatusCode::kIoError, "cannot write '", o.json, "'"));
  }
  return 0;
}

}  // namespace

void add_eval_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand("eval", "Top-1/top-5 of plans on a labelled image folder");
  cmd->add_option("--engine", o->plans, "Plan file(s); repeat for a side-by-side table")->required();
  cmd->add_option("--data", o->data, "Folder with labels.txt ('relative/path class' lines)")->required();
  cmd->add_option("--preprocess", o->preprocess, "caffe, torch or tf");
  cmd->add_option("--batch", o->batch, "Images per run")->check(CLI::PositiveNumber);
  cmd->add_option("--threads", o->threads, "Threads (0 = all)");
  cmd->add_option("--limit", o->limit, "Evaluate only the first N images (0 = all)");
  cmd->add_option("--backend", o->backend, "cpu or reference");
  cmd->add_option("--json", o->json, "Write the results as JSON");
  cmd->callback([o, &exit_code] { exit_code = run_eval(*o); });
}

}  // namespace qatrt::cli
