// Helpers shared by the subcommands: error reporting, timing, number formatting, and loading a plan for this
// host. Exit codes: 0 success, 1 an operation failed ("error: <status>"), 2 a usage error (from CLI11).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/status.h"
#include "plan/plan.h"

namespace qatrt::cli {

// Keep in step with project(... VERSION ...) in CMakeLists.txt; stored in every plan as builder_version.
inline constexpr const char* kVersion = "0.1.0";

// Prints "error: <status>" to stderr; returns the exit code 1.
int fail(const Status& status);

class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double ms() const {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

std::string format_ms(double ms);          // "12.34 ms"
std::string format_bytes(size_t bytes);    // "25.12 MiB (26345678 bytes)", "3.10 KiB (3176 bytes)"
std::string base_name(const std::string& path);

// read_plan checked against this host's CPU target.
StatusOr<Plan> read_plan_for_host(const std::string& path);

}  // namespace qatrt::cli
