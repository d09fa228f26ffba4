#include "cli_common.h"

#include <cstdio>
#include <filesystem>

namespace qatrt::cli {

int fail(const Status& status) {
  std::fprintf(stderr, "error: %s\n", status.to_string().c_str());
  return 1;
}

std::string format_ms(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f ms", ms);
  return text;
}

std::string format_bytes(size_t bytes) {
  char text[64];
  const double kib = static_cast<double>(bytes) / 1024.0;
  if (kib < 1024.0)
    std::snprintf(text, sizeof text, "%.2f KiB (%zu bytes)", kib, bytes);
  else
    std::snprintf(text, sizeof text, "%.2f MiB (%zu bytes)", kib / 1024.0, bytes);
  return text;
}

std::string base_name(const std::string& path) { return std::filesystem::path(path).filename().string(); }

StatusOr<Plan> read_plan_for_host(const std::string& path) { return read_plan(path, host_cpu_target()); }

}  // namespace qatrt::cli
