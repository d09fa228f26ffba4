// qatrt inspect (--onnx M [--int8|--fp32|--best] | --engine P) [--batch N] [--backend cpu|reference]
// Shows the layers a plan holds (or that building the model would produce): op, precision and why, the
// source nodes fused into each, which backend runs each layer, and the activation arena at a batch size.
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "layer_table.h"
#include "precision_flags.h"
#include "onnx/importer.h"
#include "passes/builder.h"
#include "runtime/engine.h"

namespace qatrt::cli {
namespace {

struct InspectOptions {
  std::string onnx;
  std::string plan;
  PrecisionFlags precision;
  int64_t batch = 1;
  std::string backend = "cpu";
  int threads = 0;
};

int run_inspect(const InspectOptions& o) {
  Graph graph;
  if (!o.plan.empty()) {
    // Any target: a plan built for another machine can still be listed; it is only run on a matching one.
    auto plan = read_plan(o.plan, "");
    if (!plan.ok()) return fail(plan.status());
    const PlanInfo& info = plan->info;
    std::printf("plan %s: format ok\n  target %s%s, precision %s, built from %s by qatrt %s at %s\n", o.plan.c_str(),
                info.target.c_str(), info.target_features.empty() ? "" : (" (" + info.target_features + ")").c_str(),
                info.precision_mode.c_str(), info.source_model.c_str(), info.builder_version.c_str(),
                info.creation_time.c_str());
    graph = std::move(plan->graph);
    // A plan no host backend can run is listed without an arena: another target's, or an fp16 one (the host
    // backends refuse float16, backends/reference/float16_refusal.h).
    std::string no_arena;
    if (info.target != host_cpu_target())
      no_arena = "the plan targets '" + info.target + "', this host is '" + host_cpu_target() + "'";
    else if (info.precision_mode == "fp16")
      no_arena = "an fp16 plan runs on the cuda backend only";
    if (!no_arena.empty()) {
      print_layer_table(stdout, graph);
      std::printf("%s\n", layer_summary(graph).c_str());
      std::printf("arena: not computed: %s\n", no_arena.c_str());
      return 0;
    }
  } else {
    auto imported = import_onnx_file(o.onnx);
    if (!imported.ok()) return fail(imported.status());
    graph = std::move(imported).value();
    const std::string mode_name = o.precision.mode_name();
    PassContext context;
    Status optimized = optimize_graph(graph, parse_precision_mode(mode_name).value(), context);
    if (!optimized.ok()) return fail(optimized);
    std::printf("model %s: as `qatrt build` would build it for %s\n", o.onnx.c_str(), mode_name.c_str());
  }
  std::printf("graph %s\n", graph.name.c_str());
  print_layer_table(stdout, graph);
  std::printf("%s\n", layer_summary(graph).c_str());

  auto engine = Engine::create(graph, {.backend = o.backend, .threads = o.threads});
  if (!engine.ok()) return fail(engine.status().with_context("creating the engine"));
  auto context = (*engine)->create_context(o.batch);
  if (!context.ok()) return fail(context.status().with_context("binding batch " + std::to_string(o.batch)));
  print_fallbacks(stdout, (*context)->assignments(), o.backend);
  std::printf("arena (activations, batch %lld, backend %s): %s\n", static_cast<long long>(o.batch), o.backend.c_str(),
              format_bytes((*context)->arena_bytes()).c_str());
  return 0;
}

}  // namespace

void add_inspect_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "List a plan's (or a model's) layers, precisions and why, and arena size");
  auto* onnx = cmd->add_option("--onnx", o->onnx, "ONNX model: show what build would make of it");
  auto* plan = cmd->add_option("--engine,--loadEngine", o->plan, "Plan file");
  onnx->excludes(plan);
  for (CLI::Option* flag : add_precision_flags(cmd, o->precision, "With --onnx, as built: ")) flag->needs(onnx);
  cmd->add_option("--batch", o->batch, "Batch size for the arena size")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--backend", o->backend, "cpu or reference")
      ->check(CLI::IsMember({"cpu", "reference"}))
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Engine threads (0 = all)")->check(CLI::NonNegativeNumber);
  cmd->callback([o, &exit_code] {
    if (o->onnx.empty() && o->plan.empty()) throw CLI::RequiredError("--onnx or --engine");
    exit_code = run_inspect(*o);
  });
}

}  // namespace qatrt::cli
