// qatrt build --onnx M --saveEngine P [--int8|--fp32|--best|--fake-quant] [--verbose] [--dumpLayerInfo]
// import → optimize (one progress line per pass) → write the plan, timing each step.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "layer_table.h"
#include "precision_flags.h"
#include "onnx/importer.h"
#include "passes/builder.h"
#include "plan/host_target.h"

namespace qatrt::cli {
namespace {

struct BuildOptions {
  std::string onnx;
  std::string plan;
  PrecisionFlags precision;
  bool verbose = false;
  bool dump_layers = false;
};

int run_build(const BuildOptions& o) {
  const std::string mode_name = o.precision.mode_name();
  auto mode = parse_precision_mode(mode_name);
  if (!mode.ok()) return fail(mode.status());
  Stopwatch total;

  std::printf("[1/3] import %s\n", o.onnx.c_str());
  Stopwatch step;
  auto imported = import_onnx_file(o.onnx);
  if (!imported.ok()) return fail(imported.status());
  Graph graph = std::move(imported).value();
  std::printf("      %zu nodes, %zu values  (%s)\n", graph.nodes.size(), graph.values.size(), format_ms(step.ms()).c_str());

  std::printf("[2/3] optimize for %s (target %s%s)\n", mode_name.c_str(), host_cpu_target().c_str(),
              host_cpu_features().empty() ? "" : (", " + host_cpu_features()).c_str());
  PassContext context;
  context.verbose = o.verbose;
  size_t logged = 0;
  context.on_pass_done = [&](const std::string& pass, double ms) {
    std::printf("      pass %-24s %10s  %zu layers\n", pass.c_str(), format_ms(ms).c_str(), graph.nodes.size());
    if (o.verbose)
      for (; logged < context.log.size(); ++logged) std::printf("        %s\n", context.log[logged].c_str());
    std::fflush(stdout);
  };
  step = Stopwatch();
  Status optimized = optimize_graph(graph, *mode, context);
  if (o.verbose)  // lines of a pass whose progress line did not come (or of the failing pass)
    for (; logged < context.log.size(); ++logged) std::printf("        %s\n", context.log[logged].c_str());
  if (!optimized.ok()) return fail(optimized);
  std::printf("      %s  (%s)\n", layer_summary(graph).c_str(), format_ms(step.ms()).c_str());
  if (o.dump_layers) print_layer_table(stdout, graph);

  std::printf("[3/3] write %s\n", o.plan.c_str());
  step = Stopwatch();
  Plan plan{{.target = host_cpu_target(), .precision_mode = mode_name, .source_model = base_name(o.onnx),
             .builder_version = kVersion},
            std::move(graph)};
  Status written = write_plan(plan, o.plan);
  if (!written.ok()) return fail(written);
  std::error_code ec;
  const auto size = std::filesystem::file_size(o.plan, ec);
  std::printf("      %s  (%s)\n", ec ? "?" : format_bytes(size).c_str(), format_ms(step.ms()).c_str());
  std::printf("built %s in %s\n", o.plan.c_str(), format_ms(total.ms()).c_str());
  return 0;
}

}  // namespace

void add_build_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BuildOptions>();
  CLI::App* cmd = app.add_subcommand("build", "Build a plan from a Q/DQ ONNX model");
  cmd->add_option("--onnx", o->onnx, "ONNX model (opset 13+, Q/DQ for INT8)")->required();
  cmd->add_option("--saveEngine", o->plan, "Plan file to write")->required();
  add_precision_flags(cmd, o->precision, "");
  cmd->add_flag("--verbose", o->verbose, "Print every rewrite of every pass");
  cmd->add_flag("--dumpLayerInfo", o->dump_layers, "Print the layer table: precision and why, fused source nodes");
  cmd->callback([o, &exit_code] { exit_code = run_build(*o); });
}

}  // namespace qatrt::cli
