// `qatrt train --gpus N` (or `--world-size N` on the CPU): runs this same command line once per device, as
// data-parallel workers (src/train/data_parallel_group.h), and waits for all of them.
//
// Each worker is qatrt-train re-executed with the parent's arguments (/proc/self/cmdline) and its role in the
// environment, as torchrun does with RANK/WORLD_SIZE:
//   QATRT_TRAIN_RANK, QATRT_TRAIN_WORLD_SIZE, QATRT_TRAIN_RENDEZVOUS, QATRT_TRAIN_DEVICE (cuda:K or cpu),
//   QATRT_TRAIN_MODEL (when set: the Q/DQ model the parent prepared, read instead of --keras/--onnx, so a float
//   model is calibrated once, not once per worker).
// Rank 0 keeps stdout (progress, summary, export); the others' stdout is discarded, their stderr kept. When a
// worker fails, the others are stopped (they would wait for it in the next collective) and the first failure
// is reported with its rank and exit status.
#pragma once

#include <string>

#include "core/status.h"

namespace qatrt::cli {

struct LaunchPlan {
  int local_processes = 1;   // processes started on this host
  int nodes = 1;             // hosts, each running the same launch
  int node_rank = 0;         // this host's index: its ranks are node_rank·local_processes + 0 .. local_processes−1
  bool cuda = false;         // one GPU per process (cuda:0 .. cuda:local_processes−1), else CPU processes
  std::string rendezvous;    // tcp://HOST:PORT or a shared directory; empty = a fresh directory on this host
  std::string prepared_model;  // QATRT_TRAIN_MODEL for the workers, or empty
};

// The role the launcher gave this process, read from the environment (absent outside a launch).
struct WorkerRole {
  int rank = 0, world_size = 1;
  std::string rendezvous, device, prepared_model;
};
StatusOr<WorkerRole> launched_worker_role();
bool is_launched_worker();


// Starts the workers and waits for all; the exit status of the launch (0 when every worker succeeded).
int launch_workers(const LaunchPlan& plan);

}  // namespace qatrt::cli
