#include "train_launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>
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

std::string describe_rank(int rank, int world, const LaunchPlan& plan) {
  return "rank " + std::to_string(rank) + " of " + std::to_string(world) + " (" +
         (plan.cuda ? "cuda:" + std::to_string(rank - plan.node_rank * plan.local_processes) : std::string("cpu")) + ")";
}

// Waits for every worker; returns the failures ("rank R of W (device) exited with status S"), by rank. When one
// rank fails, the others usually fail too a moment later, in their next collective ("connection reset"), and
// which of them the kernel reports first is a matter of timing: so every rank that ends on its own within
// kGracePeriod of the first failure is reported, the cause among them. Ranks still running then are stopped
// (they could block in a collective until the backend's timeout) and reported as stopped, not as failures.
std::vector<std::string> wait_for_workers(std::vector<Worker>& workers, int world, const LaunchPlan& plan) {
  constexpr auto kGracePeriod = std::chrono::seconds(3);
  std::vector<std::pair<int, std::string>> failed;
  std::optional<std::chrono::steady_clock::time_point> first_failure;
  bool stopped_any = false;
  for (size_t running = workers.size(); running > 0;) {
    int status = 0;
    const bool grace_over = first_failure && std::chrono::steady_clock::now() - *first_failure > kGracePeriod;
    if (grace_over && !stopped_any) {
      for (const Worker& w : workers)
        if (w.pid > 0) kill(w.pid, SIGTERM);
      stopped_any = true;
    }
    const pid_t pid = waitpid(-1, &status, first_failure && !stopped_any ? WNOHANG : 0);
    if (pid == 0) {  // within the grace period, nobody else has ended yet
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      continue;
    }
    if (pid < 0) break;
    auto it = std::find_if(workers.begin(), workers.end(), [&](const Worker& w) { return w.pid == pid; });
    if (it == workers.end()) continue;
    --running;
    it->pid = -1;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
    if (stopped_any) continue;  // ended by our SIGTERM
    failed.emplace_back(it->rank, describe_rank(it->rank, world, plan) + " " + describe_exit(status));
    if (!first_failure) first_failure = std::chrono::steady_clock::now();
  }
  std::sort(failed.begin(), failed.end());
  std::vector<std::string> result;
  for (auto& f : failed) result.push_back(std::move(f.second));
  if (stopped_any && !result.empty()) result.back() += "; the other ranks were stopped";
  return result;
}

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

  const bool all_started = workers.size() == static_cast<size_t>(plan.local_processes);
  const std::vector<std::string> failures = wait_for_workers(workers, world, plan);
  if (!own_dir.empty()) std::filesystem::remove_all(own_dir);
  if (!failures.empty()) {
    std::string list;
    for (const std::string& f : failures) list += (list.empty() ? "" : ", ") + f;
    std::fprintf(stderr, "error: data-parallel training failed: %s\n", list.c_str());
    return 1;
  }
  return all_started ? 0 : 1;
}

}  // namespace qatrt::cli
