// qatrt bench --engine P --batch N [--iterations K] [--duration S] [--warmUp MS] [--threads T]
//             [--backend cpu|reference|cuda] [--exportTimes F.json] [--exportProfile F.json]
// (--backend cuda: cuda_bench.h.)
// Times ExecutionContext::run on random inputs of the plan's input shapes (two input sets, alternated, each
// passed to run() every iteration) and prints a trtexec-style performance summary.
//   Stopping rule and percentiles as trtexec (bench_options.h, latency_stats.h).
//   Throughput = iterations / host walltime (first start to last end).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "bench_options.h"
#include "cli_common.h"
#include "commands.h"
#include "cuda_bench.h"
#include "latency_stats.h"
#include "layer_table.h"
#include "model_io.h"
#include "runtime/engine.h"

namespace qatrt::cli {
namespace {

struct Timing {
  double start_ms, end_ms;
};

Status export_times(const std::string& path, const std::vector<Timing>& timings) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const Timing& t : timings)
    out.push_back({{"startMs", t.start_ms}, {"endMs", t.end_ms}, {"latencyMs", t.end_ms - t.start_ms}});
  std::ofstream file(path);
  file << out.dump(2) << "\n";
  if (!file) return make_error(StatusCode::kIoError, "cannot write timings to '", path, "'");
  return Status::ok_status();
}

int run_bench(const BenchOptions& o) {
  if (o.backend == "cuda") return run_cuda_bench(o);
  if (o.streams != 1)
    return fail(make_error(StatusCode::kInvalidArgument, "--streams ", o.streams, " needs --backend cuda (the ",
                           o.backend, " backend runs one request at a time; use --threads for its parallelism)"));
  auto plan = read_plan_for_host(o.plan);
  if (!plan.ok()) return fail(plan.status());
  const std::string graph_name = plan->graph.name;
  auto engine = Engine::create(std::move(plan->graph), {.backend = o.backend, .threads = o.threads});
  if (!engine.ok()) return fail(engine.status());
  auto context = (*engine)->create_context(o.batch);
  if (!context.ok()) return fail(context.status());
  const Graph& graph = (*engine)->graph();

  std::mt19937 rng(2024);
  std::vector<Tensor> input_sets[2];
  for (auto& set : input_sets)
    for (ValueId id : graph.inputs) {
      auto shape = bind_batch(graph, id, o.batch);
      if (!shape.ok()) return fail(shape.status());
      set.push_back(random_tensor(graph.value(id).dtype, *shape, rng));
    }
  std::printf("=== Model ===\nplan %s (%s), batch %lld, backend %s, threads %s\n", o.plan.c_str(), graph_name.c_str(),
              static_cast<long long>(o.batch), o.backend.c_str(),
              o.threads > 0 ? std::to_string(o.threads).c_str() : "all");
  for (size_t i = 0; i < graph.inputs.size(); ++i)
    std::printf("input %s: %s%s (random)\n", graph.value(graph.inputs[i]).name.c_str(),
                std::string(dtype_name(input_sets[0][i].dtype())).c_str(), shape_to_string(input_sets[0][i].shape()).c_str());
  print_fallbacks(stdout, (*context)->assignments(), o.backend);

  // Warm-up: at least one run, until warmUp ms have passed.
  Stopwatch warm;
  int warm_runs = 0;
  do {
    auto out = (*context)->run(input_sets[warm_runs % 2]);
    if (!out.ok()) return fail(out.status());
    ++warm_runs;
  } while (warm.ms() < o.warm_up_ms);

  std::vector<Timing> timings;
  Stopwatch clock;
  while (keep_timing(o, timings.size(), clock.ms())) {
    const double start = clock.ms();
    auto out = (*context)->run(input_sets[timings.size() % 2]);
    if (!out.ok()) return fail(out.status());
    timings.push_back({start, clock.ms()});
  }

  std::vector<double> latencies;
  for (const Timing& t : timings) latencies.push_back(t.end_ms - t.start_ms);
  const double walltime_ms = timings.back().end_ms - timings.front().start_ms;
  const double qps = static_cast<double>(timings.size()) / (walltime_ms / 1000.0);
  std::printf("=== Performance summary ===\n");
  std::printf("Throughput: %.3f qps, %.2f images/s (batch %lld)\n", qps, qps * static_cast<double>(o.batch),
              static_cast<long long>(o.batch));
  print_latency_line(stdout, "Latency", latencies);
  std::printf("Total Host Walltime: %.4f s\n", walltime_ms / 1000.0);
  std::printf("Iterations: %zu timed, %d warm-up (%.1f ms)\n", timings.size(), warm_runs, warm.ms());
  std::printf("Arena: %s\n", format_bytes((*context)->arena_bytes()).c_str());
  if (!o.export_times.empty()) {
    Status s = export_times(o.export_times, timings);
    if (!s.ok()) return fail(s);
    std::printf("Timings written to %s\n", o.export_times.c_str());
  }
  return 0;
}

}  // namespace

void add_bench_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* cmd = app.add_subcommand("bench", "Measure a plan's latency and throughput on random inputs");
  cmd->add_option("--engine,--loadEngine", o->plan, "Plan file")->required();
  cmd->add_option("--batch", o->batch, "Batch size")->check(CLI::PositiveNumber)->capture_default_str();
  auto* iterations = cmd->add_option("--iterations", o->iterations,
                                     "Timed iterations: exactly K alone, at least K with --duration (default: 10 and 3 s)")
                         ->check(CLI::PositiveNumber);
  auto* duration = cmd->add_option("--duration", o->duration_s,
                                   "Timed seconds: run at least S (with --iterations, until both are reached)")
                       ->check(CLI::NonNegativeNumber);
  cmd->add_option("--warmUp", o->warm_up_ms, "Warm-up time in ms before timing (at least one run)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--threads", o->threads, "Engine threads (0 = all)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--backend", o->backend, "cpu, reference or cuda (input already on the GPU, CUDA graph)")
      ->check(CLI::IsMember({"cpu", "reference", "cuda"}))
      ->capture_default_str();
  cmd->add_option("--exportTimes", o->export_times, "Write every iteration's start/end/latency (ms) as JSON");
  cmd->add_option("--exportProfile", o->export_profile, "cuda: write per-layer GPU times (ms), MACs and TOPS as JSON");
  cmd->add_option("--streams", o->streams,
                  "cuda: N execution contexts replaying at once, each on its own stream (concurrent requests)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->callback([o, iterations, duration, &exit_code] {
    o->iterations_given = iterations->count() > 0;
    o->duration_given = duration->count() > 0;
    exit_code = run_bench(*o);
  });
}

}  // namespace qatrt::cli
