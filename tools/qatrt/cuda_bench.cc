#include "cuda_bench.h"

#include <cstdio>
#include <optional>
#include <thread>

#include "cli_common.h"
#include "ir/mac_count.h"
#include "latency_stats.h"
#include "layer_profile.h"
#include "model_io.h"
#include "runtime/engine.h"

#ifdef QATRT_HAVE_CUDA
#include "backends/cuda/device.h"
#include "runtime/cuda/cuda_execution_context.h"
#endif

namespace qatrt::cli {

#ifdef QATRT_HAVE_CUDA
namespace {

// The profile's layers with their MAC counts from the plan's graph at the benchmark's batch.
StatusOr<std::vector<ProfiledLayer>> with_macs(const std::vector<cuda::LayerTime>& times, const Graph& graph,
                                               int64_t batch) {
  std::vector<std::string> names;
  for (const cuda::LayerTime& t : times) names.push_back(t.layer);
  QATRT_ASSIGN_OR_RETURN(std::vector<int64_t> macs, layer_macs(graph, batch, names));
  std::vector<ProfiledLayer> layers;
  for (size_t i = 0; i < times.size(); ++i) {
    // A convolution or product always has work: 0 means its name matched no node, and its TOPS would be lost.
    const std::optional<Op> op = op_from_name(times[i].op);
    if (macs[i] == 0 && op && counts_macs(*op))
      return make_error(StatusCode::kInternal, "profiled layer '", times[i].layer, "' (", times[i].op,
                        ") matches no node of the plan's graph, so its MACs are unknown");
    layers.push_back({.layer = times[i].layer, .op = times[i].op, .median_ms = times[i].median_ms, .macs = macs[i]});
  }
  return layers;
}

// The first replay of a context runs eagerly (its conv tiles are timed), later ones replay the captured graph.
Status warm_up(cuda::CudaExecutionContext& context, const BenchOptions& o, int& runs) {
  Stopwatch warm;
  do {
    QATRT_RETURN_IF_ERROR(context.enqueue_network());
    QATRT_RETURN_IF_ERROR(context.synchronize());
    ++runs;
  } while (warm.ms() < o.warm_up_ms);
  return Status::ok_status();
}

// Every context replays back to back on its own stream from its own host thread, all at once (trtexec's
// --streams): the throughput of concurrent requests. With one context it is the plain back-to-back loop. The
// stopping rule applies to each context; the GPU times of all replays are pooled (with several streams each
// one includes the others' interleaved work).
StatusOr<std::vector<double>> time_concurrently(const std::vector<cuda::CudaExecutionContext*>& contexts,
                                                const BenchOptions& o, double& walltime_ms) {
  std::vector<std::vector<double>> times(contexts.size());
  std::vector<Status> status(contexts.size());
  Stopwatch clock;
  std::vector<std::thread> threads;
  for (size_t c = 0; c < contexts.size(); ++c) {
    threads.emplace_back([&, c] {
      while (keep_timing(o, times[c].size(), clock.ms())) {
        auto replays = contexts[c]->time_network(runs_left(o, times[c].size(), 50));
        if (!replays.ok()) {
          status[c] = replays.status();
          return;
        }
        times[c].insert(times[c].end(), replays->begin(), replays->end());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  walltime_ms = clock.ms();
  std::vector<double> pooled;
  for (size_t c = 0; c < contexts.size(); ++c) {
    QATRT_RETURN_IF_ERROR(status[c].with_context("stream " + std::to_string(c)));
    pooled.insert(pooled.end(), times[c].begin(), times[c].end());
  }
  return pooled;
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
  // One execution context per stream: each has its own stream, device arena, packed weights and CUDA graph.
  std::vector<std::unique_ptr<ExecutionContext>> owned;
  std::vector<cuda::CudaExecutionContext*> contexts;
  for (int c = 0; c < o.streams; ++c) {
    auto created = (*engine)->create_context(o.batch);
    if (!created.ok()) return fail(created.status().with_context("stream " + std::to_string(c)));
    contexts.push_back(dynamic_cast<cuda::CudaExecutionContext*>(created->get()));
    if (!contexts.back()) return fail(make_error(StatusCode::kInternal, "the cuda engine made a context of another kind"));
    owned.push_back(std::move(*created));
  }
  cuda::CudaExecutionContext* context = contexts[0];  // host latency and the profile are measured on this one
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
  // Warm-up, one context after the other, so that each one's tile timing runs on an otherwise idle GPU.
  Stopwatch warm;
  int warm_runs = 0;
  for (cuda::CudaExecutionContext* c : contexts) {
    if (Status s = c->upload_inputs(inputs); !s.ok()) return fail(s);
    if (Status s = warm_up(*c, o, warm_runs); !s.ok()) return fail(s);
  }

  double walltime_ms = 0;
  auto timed = time_concurrently(contexts, o, walltime_ms);
  if (!timed.ok()) return fail(timed.status());
  const std::vector<double>& gpu_ms = *timed;

  std::vector<double> host_ms;
  for (int i = 0; i < 20; ++i) {
    Stopwatch run_clock;
    auto out = context->run(inputs);
    if (!out.ok()) return fail(out.status());
    host_ms.push_back(run_clock.ms());
  }

  const double qps = static_cast<double>(gpu_ms.size()) / (walltime_ms / 1000.0);
  std::printf("=== Performance summary ===\n");
  std::printf("Throughput: %.3f qps, %.2f images/s (batch %lld, %d stream%s of back-to-back CUDA graph replays, "
              "input on the GPU)\n",
              qps, qps * static_cast<double>(o.batch), static_cast<long long>(o.batch), o.streams,
              o.streams == 1 ? "" : "s at once");
  print_latency_line(stdout, "GPU Compute Time", gpu_ms);
  print_latency_line(stdout, "Host Latency (run(): H2D + replay + D2H)", host_ms);
  std::printf("Total Host Walltime: %.4f s\n", walltime_ms / 1000.0);
  std::printf("Iterations: %zu timed, %d warm-up (%.1f ms); CUDA graph: %s\n", gpu_ms.size(), warm_runs, warm.ms(),
              context->uses_cuda_graph() ? "yes" : "no");
  std::printf("Arena: %s (device)\n", format_bytes(context->arena_bytes()).c_str());
  if (!o.export_profile.empty()) {
    constexpr int kProfileRuns = 20;
    auto times = context->profile_layers(kProfileRuns);
    if (!times.ok()) return fail(times.status());
    auto layers = with_macs(*times, graph, o.batch);
    if (!layers.ok()) return fail(layers.status().with_context("counting each layer's MACs"));
    print_profile_summary(stdout, *layers, o.batch, walltime_ms / static_cast<double>(gpu_ms.size()));
    if (Status s = write_profile_json(o.export_profile, *layers, kProfileRuns); !s.ok()) return fail(s);
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
