#include "layer_profile.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "ir/mac_count.h"
#include "runtime/context_inputs.h"

namespace qatrt::cli {

double tera_ops_per_second(int64_t macs, double ms) {
  return macs > 0 && ms > 0 ? 2.0 * static_cast<double>(macs) / (ms * 1e-3) / 1e12 : 0.0;
}

StatusOr<std::vector<int64_t>> layer_macs(const Graph& graph, int64_t batch, const std::vector<std::string>& layers) {
  QATRT_ASSIGN_OR_RETURN(Graph bound, bind_batch_size(graph, batch));
  std::map<std::string, int64_t> by_node;
  for (const Node& node : bound.nodes) {
    QATRT_ASSIGN_OR_RETURN(int64_t macs, count_macs(bound, node));
    by_node[node.name] = macs;
  }
  std::vector<int64_t> macs;
  for (const std::string& layer : layers) {
    auto found = by_node.find(layer);
    macs.push_back(found == by_node.end() ? 0 : found->second);
  }
  return macs;
}

Status write_profile_json(const std::string& path, const std::vector<ProfiledLayer>& layers, int runs) {
  double total = 0;
  for (const ProfiledLayer& l : layers) total += l.median_ms;
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  out.push_back({{"count", runs}});
  for (const ProfiledLayer& l : layers) {
    nlohmann::ordered_json entry = {{"name", l.layer},
                                    {"op", l.op},
                                    {"timeMs", l.median_ms * runs},
                                    {"averageMs", l.median_ms},
                                    {"medianMs", l.median_ms},
                                    {"percentage", total > 0 ? 100.0 * l.median_ms / total : 0.0}};
    if (l.macs > 0) {
      entry["macs"] = l.macs;
      entry["tops"] = tera_ops_per_second(l.macs, l.median_ms);
    }
    out.push_back(std::move(entry));
  }
  std::ofstream file(path);
  file << out.dump(2) << "\n";
  if (!file) return make_error(StatusCode::kIoError, "cannot write the profile to '", path, "'");
  return Status::ok_status();
}

void print_profile_summary(std::FILE* out, const std::vector<ProfiledLayer>& layers, int64_t batch,
                           double replay_ms) {
  struct OpTotal {
    double ms = 0;
    int layers = 0;
    int64_t macs = 0;
  };
  std::map<std::string, OpTotal> by_op;
  OpTotal all;
  for (const ProfiledLayer& l : layers) {
    for (OpTotal* t : {&by_op[l.op], &all}) {
      t->ms += l.median_ms;
      t->layers += 1;
      t->macs += l.macs;
    }
  }
  std::vector<std::pair<std::string, OpTotal>> rows(by_op.begin(), by_op.end());
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
  std::fprintf(out, "=== Profile (eager launches, median per layer; sum %.4f ms) ===\n", all.ms);
  for (const auto& [op, t] : rows) {
    std::fprintf(out, "  %-20s %3d layers %9.4f ms  %5.1f%%", op.c_str(), t.layers, t.ms,
                 all.ms > 0 ? 100.0 * t.ms / all.ms : 0.0);
    if (t.macs > 0) std::fprintf(out, "  %8.1f TOPS", tera_ops_per_second(t.macs, t.ms));
    std::fprintf(out, "\n");
  }
  if (all.macs == 0) return;
  std::fprintf(out, "Work: %.3f GMAC (%.3f GMAC per image at batch %lld); achieved %.1f TOPS over the sum of layer "
               "medians, %.1f TOPS at the measured throughput (%.4f ms per replay)\n",
               static_cast<double>(all.macs) / 1e9, static_cast<double>(all.macs) / 1e9 / static_cast<double>(batch),
               static_cast<long long>(batch), tera_ops_per_second(all.macs, all.ms),
               tera_ops_per_second(all.macs, replay_ms), replay_ms);
}

}  // namespace qatrt::cli
