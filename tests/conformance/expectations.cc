#include "expectations.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

namespace qatrt::conformance {

StatusOr<Expectations> read_expectations(const std::string& path, const std::vector<std::string>& configurations) {
  std::ifstream file(path);
  if (!file) return make_error(StatusCode::kNotFound, "cannot open ", path);
  Expectations expectations;
  std::string line;
  for (int number = 1; std::getline(file, line); ++number) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string test, config, reason;
    if (!(fields >> test)) continue;  // blank or comment
    fields >> config;
    std::getline(fields >> std::ws, reason);
    if (reason.empty())
      return make_error(StatusCode::kInvalidArgument, path, ":", number, ": expected '<test> <backend> <reason>'");
    std::vector<std::string> targets = {config};
    if (config == "all") targets = configurations;
    else if (std::find(configurations.begin(), configurations.end(), config) == configurations.end())
      return make_error(StatusCode::kInvalidArgument, path, ":", number, ": unknown configuration '", config, "'");
    for (const auto& target : targets)
      if (!expectations.emplace(std::make_pair(test, target), reason).second)
        return make_error(StatusCode::kInvalidArgument, path, ":", number, ": ", test, " on ", target,
                          " is listed twice");
  }
  return expectations;
}

}  // namespace qatrt::conformance
