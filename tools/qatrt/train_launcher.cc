#include "train_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern char** environ;

namespace qatrt::cli {
namespace {

constexpr const char* kRank = "QATRT_TRAIN_RANK";
constexpr const char* kWorldSize = "QATRT_TRAIN_WORLD_SIZE";
constexpr const char* kRendezvous = "QATRT_TRAIN_RENDEZVOUS";
constexpr const char* kDevice = "QATRT_TRAIN_DEVICE";
constexpr const char* kModel = "QATRT_TRAIN_MODEL";

// This process's own arguments, argv[0] included.
std::vector<std::string> own_command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::string> args;
  for (size_t begin = 0; begin < text.size();) {
    const size_t end = text.find('\0', begin);
    args.push_back(text.substr(begin, end - begin));
    begin = end == std::string::npos ? text.size() : end + 1;
  }
  return args;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "ended with wait status " + std::to_string(status);
}

struct Worker {
  int rank;
  pid_t pid;
};

}  // namespace

bool is_launched_worker() { return std::getenv(kRank) != nullptr; }

StatusOr<WorkerRole> launched_worker_role() {
  auto get = [](const char* name) { const char* v = std::getenv(name); return std::string(v ? v : ""); };
  WorkerRole role{std::atoi(get(kRank).c_str()), std::atoi(get(kWorldSize).c_str()), get(kRendezvous), get(kDevice), get(kModel)};
  if (role.world_size < 1 || role.rank < 0 || role.rank >= role.world_size || role.rendezvous.empty() || role.device.empty())
    return make_error(StatusCode::kInvalidArgument, kRank, "=", get(kRank), ", ", kWorldSize, "=", get(kWorldSize), ", ", kRendezvous, "=", role.rendezvous,
                      ", ", kDevice, "=", role.device, ": an incomplete worker role (these variables are set by `qatrt train --gpus`; unset them)");
  return role;
}

Status check_rendezvous(const std::string& rendezvous) {
  if (rendezvous.rfind("tcp://", 0) == 0) {
    const size_t colon = rendezvous.rfind(':');
    const int port = colon > 5 ? std::atoi(rendezvous.c_str() + colon + 1) : 0;
    if (port <= 0 || port > 65535 || colon == 6)
      return make_error(StatusCode::kInvalidArgument, "--rendezvous '", rendezvous, "': expected tcp://HOST:PORT (rank 0 serves the store on HOST:PORT)");
    return Status::ok_status();
  }
  std::error_code ec;
  if (!std::filesystem::is_directory(rendezvous, ec))
    return make_error(StatusCode::kNotFound, "--rendezvous '", rendezvous, "' is not a directory; give a directory every rank can write, or tcp://HOST:PORT");
  if (access(rendezvous.c_str(), W_OK | X_OK) != 0)
    return make_error(StatusCode::kIoError, "--rendezvous '", rendezvous, "' is not writable (", std::strerror(errno), "); the ranks meet through a file there");
  return Status::ok_status();
}

int launch_workers(const LaunchPlan& plan) {
  const int world = plan.nodes * plan.local_processes;
  std::string rendezvous = plan.rendezvous;
  std::string own_dir;  // created here, removed at the end
  if (rendezvous.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "qatrt-train-XXXXXX").string();
    if (!mkdtemp(pattern.data())) {
      std::fprintf(stderr, "error: cannot create a rendezvous directory under %s: %s\n", std::filesystem::temp_directory_path().c_str(), std::strerror(errno));
      return 1;
    }
    rendezvous = own_dir = pattern;
  } else if (plan.nodes == 1 && rendezvous.rfind("tcp://", 0) != 0) {
    // A store file left by a killed run would be taken for this run's: on one host this launch owns it.
    std::filesystem::remove(std::filesystem::path(rendezvous) / "qatrt-train.store");
  }
  const std::vector<std::string> args = own_command_line();
  std::vector<std::string> inherited;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "QATRT_TRAIN_", 12) != 0) inherited.push_back(*e);

  std::printf("      data parallel: %d process(es) here (ranks %d..%d of %d), %s, rendezvous %s\n", plan.local_processes,
              plan.node_rank * plan.local_processes, plan.node_rank * plan.local_processes + plan.local_processes - 1, world,
              plan.cuda ? "one GPU each" : "CPU", rendezvous.c_str());
  std::fflush(nullptr);
  std::vector<Worker> workers;
  for (int local = 0; local < plan.local_processes; ++local) {
    const int rank = plan.node_rank * plan.local_processes + local;
    // Everything the child needs is built before fork: between fork and exec only async-signal-safe calls.
    std::vector<std::string> env = inherited;
    env.push_back(std::string(kRank) + "=" + std::to_string(rank));
    env.push_back(std::string(kWorldSize) + "=" + std::to_string(world));
    env.push_back(std::string(kRendezvous) + "=" + rendezvous);
    env.push_back(std::string(kDevice) + "=" + (plan.cuda ? "cuda:" + std::to_string(local) : std::string("cpu")));
    if (!plan.prepared_model.empty()) env.push_back(std::string(kModel) + "=" + plan.prepared_model);
    std::vector<char*> argv, envp;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      if (rank != 0) {
        const int null = open("/dev/null", O_WRONLY);
        if (null >= 0) dup2(null, STDOUT_FILENO);
      }
      execve("/proc/self/exe", argv.data(), envp.data());
      _exit(127);
    }
    if (pid < 0) {
      std::fprintf(stderr, "error: cannot start rank %d: %s\n", rank, std::strerror(errno));
      for (const Worker& w : workers) kill(w.pid, SIGTERM);  // all still running: none was waited for yet
      break;
    }
    workers.push_back({rank, pid});
  }

  // The first failure decides; the rest are stopped, since they would block in their next collective.
  int failed_rank = workers.size() == static_cast<size_t>(plan.local_processes) ? -1 : -2;
  std::string failure;
  for (size_t running = workers.size(); running > 0;) {
    int status = 0;
    const pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) break;
    auto it = std::find_if(workers.begin(), workers.end(), [&](const Worker& w) { return w.pid == pid; });
    if (it == workers.end()) continue;
    --running;
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok && failed_rank == -1) {
      failed_rank = it->rank;
      failure = describe_exit(status);
      for (const Worker& w : workers)
        if (w.pid > 0 && w.pid != pid) kill(w.pid, SIGTERM);
    }
    it->pid = -1;
  }
  if (!own_dir.empty()) std::filesystem::remove_all(own_dir);
  if (failed_rank >= 0) {
    std::fprintf(stderr, "error: data-parallel training failed: rank %d of %d (%s) %s; the other ranks were stopped\n", failed_rank, world,
                 plan.cuda ? ("cuda:" + std::to_string(failed_rank - plan.node_rank * plan.local_processes)).c_str() : "cpu", failure.c_str());
    return 1;
  }
  return failed_rank == -1 ? 0 : 1;
}

}  // namespace qatrt::cli
