#include "cuda_bench.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_common.h"
#include "latency_stats.h"
#include "model_io.h"
#include "runtime/engine.h"

#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/device.h"
#include "runtime/cuda/cuda_execution_context.h"
#endif

namespace qatrt::cli {

#ifdef QATRT_HAVE_CUDA
namespace {

Status export_profile(const std::string& path, const std::vector<cuda::LayerTime>& layers, int runs) {
  double total = 0;
  for (const cuda::LayerTime& l : layers) total += l.median_ms;
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  out.push_back({{"count", runs}});
  for (const cuda::LayerTime& l : layers)
    out.push_back({{"name", l.layer}, {"op", l.op}, {"timeMs", l.median_ms * runs}, {"averageMs", l.median_ms},
                   {"medianMs", l.median_ms}, {"percentage", total > 0 ? 100.0 * l.median_ms / total : 0.0}});
  std::ofstream file(path);
  file << out.dump(2) << "\n";
  if (!file) return make_error(StatusCode::kIoError, "cannot write the profile to '", path, "'");
  return Status::ok_status();
}

// Sum of the per-layer medians by op, largest first: where the time goes.
void print_profile_summary(const std::vector<cuda::LayerTime>& layers) {
  std::map<std::string, std::pair<double, int>> by_op;
  double total = 0;
  for (const cuda::LayerTime& l : layers) {
    by_op[l.op].first += l.median_ms;
    by_op[l.op].second += 1;
    total += l.median_ms;
  }
  std::vector<std::pair<std::string, std::pair<double, int>>> rows(by_op.begin(), by_op.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  std::printf("=== Profile (eager launches, median per layer; sum %.4f ms) ===\n", total);
  for (const auto& [op, time] : rows)
    std::printf("  %-20s %3d layers %9.4f ms  %5.1f%%\n", op.c_str(), time.second, time.first,
                total > 0 ? 100.0 * time.first / total : 0.0);
}

}  // namespace

int run_cuda_bench(const BenchOptions& o) {
  if (!o.export_times.empty())
    return fail(make_error(StatusCode::kInvalidArgument, "--exportTimes times host runs; with --backend cuda use "
                           "--exportProfile (per-layer GPU times)"));
  auto plan = read_plan_for_host(o.plan);
  if (!plan.ok()) return fail(plan.status());
  const std::string graph_name = plan->graph.name;
  auto engine = Engine::create(std::move(plan->graph), {.backend = "cuda"});
  if (!engine.ok()) return fail(engine.status());
  auto created = (*engine)->create_context(o.batch);
  if (!created.ok()) return fail(created.status());
  auto* context = dynamic_cast<cuda::CudaExecutionContext*>(created->get());
  if (!context) return fail(make_error(StatusCode::kInternal, "the cuda engine made a context of another kind"));
  const Graph& graph = (*engine)->graph();

  std::mt19937 rng(2024);
  std::vector<Tensor> inputs;
  for (ValueId id : graph.inputs) {
    auto shape = bind_batch(graph, id, o.batch);
    if (!shape.ok()) return fail(shape.status());
    inputs.push_back(random_tensor(graph.value(id).dtype, *shape, rng));
  }
  const cuda::DeviceInfo device = cuda::query_devices();
  std::printf("=== Model ===\nplan %s (%s), batch %lld, backend cuda on %s (sm_%d%d)\n", o.plan.c_str(),
              graph_name.c_str(), static_cast<long long>(o.batch), device.name.c_str(), device.sm_major,
              device.sm_minor);
  for (size_t i = 0; i < graph.inputs.size(); ++i)
    std::printf("input %s: %s%s (random, uploaded once)\n", graph.value(graph.inputs[i]).name.c_str(),
                std::string(dtype_name(inputs[i].dtype())).c_str(), shape_to_string(inputs[i].shape()).c_str());
  if (Status s = context->upload_inputs(inputs); !s.ok()) return fail(s);

  // Warm-up: the first replay runs eagerly (conv tiles are timed), then the network is captured.
  Stopwatch warm;
  int warm_runs = 0;
  do {
    Status s = context->enqueue_network();
    if (s.ok()) s = context->synchronize();
    if (!s.ok()) return fail(s);
    ++warm_runs;
  } while (warm.ms() < o.warm_up_ms);

  std::vector<double> gpu_ms;
  Stopwatch clock;
  while (keep_timing(o, gpu_ms.size(), clock.ms())) {
    auto times = context->time_network(runs_left(o, gpu_ms.size(), 50));
    if (!times.ok()) return fail(times.status());
    gpu_ms.insert(gpu_ms.end(), times->begin(), times->end());
  }
  const double walltime_ms = clock.ms();

  std::vector<double> host_ms;
  for (int i = 0; i < 20; ++i) {
    Stopwatch run_clock;
    auto out = context->run(inputs);
    if (!out.ok()) return fail(out.status());
    host_ms.push_back(run_clock.ms());
  }

  const double qps = static_cast<double>(gpu_ms.size()) / (walltime_ms / 1000.0);
  std::printf("=== Performance summary ===\n");
  std::printf("Throughput: %.3f qps, %.2f images/s (batch %lld, back-to-back CUDA graph replays, input on the GPU)\n",
              qps, qps * static_cast<double>(o.batch), static_cast<long long>(o.batch));
  print_latency_line(stdout, "GPU Compute Time", gpu_ms);
  print_latency_line(stdout, "Host Latency (run(): H2D + replay + D2H)", host_ms);
  std::printf("Total Host Walltime: %.4f s\n", walltime_ms / 1000.0);
  std::printf("Iterations: %zu timed, %d warm-up (%.1f ms); CUDA graph: %s\n", gpu_ms.size(), warm_runs, warm.ms(),
              context->uses_cuda_graph() ? "yes" : "no");
  std::printf("Arena: %s (device)\n", format_bytes(context->arena_bytes()).c_str());
  if (!o.export_profile.empty()) {
    constexpr int kProfileRuns = 20;
    auto layers = context->profile_layers(kProfileRuns);
    if (!layers.ok()) return fail(layers.status());
    print_profile_summary(*layers);
    if (Status s = export_profile(o.export_profile, *layers, kProfileRuns); !s.ok()) return fail(s);
    std::printf("Per-layer profile written to %s\n", o.export_profile.c_str());
  }
  return 0;
}

#else

int run_cuda_bench(const BenchOptions&) {
  return fail(make_error(StatusCode::kUnsupported, "bench --backend cuda: this qatrt was built without CUDA"));
}

#endif

}  // namespace qatrt::cli
