#include "data/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace qatrt {

Status parallel_for(size_t count, int threads, const std::function<Status(size_t)>& work) {
  std::vector<Status> results(count);
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < count; i = next++) results[i] = work(i);
  };
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t workers = std::min<size_t>(threads > 0 ? static_cast<size_t>(threads) : hardware, count);
  std::vector<std::thread> pool;
  for (size_t t = 1; t < workers; ++t) pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool) t.join();
  for (const Status& s : results)
    if (!s.ok()) return s;
  return Status::ok_status();
}

}  // namespace qatrt
