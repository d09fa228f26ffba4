// qatrt eval --engine P [--engine P2 ...] --data DIR [--preprocess caffe] [--batch 16] [--json F] [--chart F.svg]
//            [--save-inputs DIR]
// Top-1 / top-5 of each plan on a labelled image folder (DIR/labels.txt: "relative/path class" per line), the
// same images and preprocessing for every column, each plan's top-1 agreement with the first one, and the
// sampleQAT table by Q/DQ model (FP32 | fake-quant | INT8, accuracy_report.h).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "accuracy_chart.h"
#include "accuracy_report.h"
#include "cli_common.h"
#include "commands.h"
#include "core/progress.h"
#include "data/labelled_folder.h"
#include "data/preprocess.h"
#include "model_io.h"
#include "runtime/engine.h"

namespace qatrt::cli {
namespace {

struct EvalOptions {
  std::vector<std::string> plans;
  std::string data, preprocess = "caffe", json, chart, save_inputs, backend = "cpu";
  int batch = 16;
  int threads = 0;
  int limit = 0;
};

// Writes one preprocessed batch as raw float32 (the plan's input layout), named so that sorting the names gives
// the image order; DIR/images.txt lists the images in that order.
Status save_batch(const std::string& dir, size_t index, const Tensor& images) {
  char name[32];
  std::snprintf(name, sizeof name, "batch_%05zu.f32", index);
  std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
  out.write(static_cast<const char*>(images.raw()), static_cast<std::streamsize>(images.nbytes()));
  if (!out) return make_error(StatusCode::kIoError, "cannot write '", dir, "/", name, "'");
  return {};
}

// save_inputs: a folder for the preprocessed batches, or empty.
StatusOr<PlanAccuracy> evaluate_plan(const std::string& path, const LabelledImages& set, const EvalOptions& o,
                                     PreprocessPreset preset, const std::string& save_inputs) {
  QATRT_ASSIGN_OR_RETURN(Plan plan, read_plan_for_host(path));
  QATRT_ASSIGN_OR_RETURN(ImageInput input, describe_image_input(plan.graph));
  const PreprocessOptions pre = image_preprocessing(input, preset);
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(std::move(plan.graph), {.backend = o.backend, .threads = o.threads}));
  PlanAccuracy result{.plan = path, .precision_mode = plan.info.precision_mode, .source_model = plan.info.source_model};
  ProgressBar progress("eval " + base_name(path), static_cast<int64_t>(set.paths.size()));
  std::unique_ptr<ExecutionContext> context;
  Stopwatch clock;
  for (size_t begin = 0; begin < set.paths.size(); begin += static_cast<size_t>(o.batch)) {
    size_t count = std::min(set.paths.size() - begin, static_cast<size_t>(o.batch));
    if (!context || context->batch() != static_cast<int64_t>(count)) {
      QATRT_ASSIGN_OR_RETURN(context, engine->create_context(static_cast<int64_t>(count)));
    }
    QATRT_ASSIGN_OR_RETURN(Tensor images, load_image_batch(std::span(set.paths).subspan(begin, count), pre, o.threads));
    if (!save_inputs.empty()) QATRT_RETURN_IF_ERROR(save_batch(save_inputs, begin / static_cast<size_t>(o.batch), images));
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

Status write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  return out ? Status() : make_error(StatusCode::kIoError, "cannot write '", path, "'");
}

Status prepare_input_folder(const std::string& dir, const LabelledImages& set) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return make_error(StatusCode::kIoError, "cannot create '", dir, "': ", ec.message());
  std::string list;
  for (const std::string& image : set.paths) list += image + "\n";
  return write_text((std::filesystem::path(dir) / "images.txt").string(), list);
}

int run_eval(const EvalOptions& o) {
  auto preset = parse_preprocess_preset(o.preprocess);
  if (!preset.ok()) return fail(preset.status());
  auto set = read_labelled_folder(o.data, o.limit);
  if (!set.ok()) return fail(set.status());
  if (!o.save_inputs.empty())
    if (Status prepared = prepare_input_folder(o.save_inputs, *set); !prepared.ok()) return fail(prepared);
  std::vector<PlanAccuracy> plans;
  for (const std::string& plan : o.plans) {
    // The inputs are the same for every plan of one input layout: saved once, from the first.
    auto result = evaluate_plan(plan, *set, o, *preset, plans.empty() ? o.save_inputs : "");
    if (!result.ok()) return fail(result.status().with_context(plan));
    plans.push_back(std::move(result).value());
  }
  std::printf("\n%zu images from %s, preprocess %s, backend %s\n", set->paths.size(), o.data.c_str(),
              o.preprocess.c_str(), o.backend.c_str());
  print_plan_table(stdout, plans);
  const std::vector<ModelComparison> models = compare_by_model(plans);
  print_model_table(stdout, models);
  if (!o.json.empty())
    if (Status written = write_text(o.json, accuracy_json(plans, models, set->paths, set->classes).dump(2) + "\n"); !written.ok())
      return fail(written);
  if (!o.chart.empty()) {
    if (models.empty())
      return fail(make_error(StatusCode::kInvalidArgument, "--chart draws the table by Q/DQ model: give at least one ",
                             "plan built with --int8 or --fake-quant"));
    std::string subtitle = std::to_string(set->paths.size()) + " images from " + o.data + ", preprocess " +
                           o.preprocess + ", backend " + o.backend;
    if (Status written = write_text(o.chart, accuracy_chart_svg(models, subtitle)); !written.ok()) return fail(written);
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
  cmd->add_option("--backend", o->backend, "cpu, reference or cuda");
  cmd->add_option("--json", o->json, "Write the results as JSON (with every plan's per-image top-1)");
  cmd->add_option("--chart", o->chart, "Write the table by Q/DQ model as an SVG bar chart");
  cmd->add_option("--save-inputs", o->save_inputs,
                  "Write the first plan's preprocessed input batches (raw float32) to this folder, to run the same "
                  "inputs through another runtime (scripts/ort_run.js)");
  cmd->callback([o, &exit_code] { exit_code = run_eval(*o); });
}

}  // namespace qatrt::cli
