// expected_unsupported.txt: the node tests qatrt is known to fail, one per line, with the reason:
//   <test_name> <configuration: reference | cpu | cpu-optimized | all> <reason…>
// '#' starts a comment. The runner fails on a failure not listed here AND on a listed failure that passes,
// so the file always says exactly what does not work.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace qatrt::conformance {

// (test, configuration) → reason; "all" is expanded to every configuration passed in.
using Expectations = std::map<std::pair<std::string, std::string>, std::string>;

StatusOr<Expectations> read_expectations(const std::string& path, const std::vector<std::string>& configurations);

}  // namespace qatrt::conformance
