// qatrt bench --backend cuda: the plan on the GPU with its input already on the device (uploaded once), the
// whole network replayed as one CUDA graph, as trtexec measures an engine:
//   Throughput: replays enqueued back to back, host walltime from the first enqueue to the last completion;
//   GPU Compute Time: each replay between CUDA events;
//   Host Latency: ExecutionContext::run() end to end (pinned input copy, replay, output copy, synchronize);
//   --exportProfile F.json: every step launched eagerly between CUDA events, median per layer (trtexec's
//   profile format: a count entry, then name / timeMs / averageMs / medianMs / percentage per layer, plus macs
//   and tops for the layers that multiply-accumulate: layer_profile.h).
// Same stopping rule as the host benchmark (bench_command.cc). Without CUDA it fails with the reason.
#pragma once

#include "bench_options.h"

namespace qatrt::cli {

int run_cuda_bench(const BenchOptions& options);

}  // namespace qatrt::cli
