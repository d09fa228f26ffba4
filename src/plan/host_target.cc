#include "plan/host_target.h"
#include "plan/plan.h"

namespace qatrt {

std::string host_cpu_target() {
#if defined(__x86_64__) || defined(_M_X64)
  return "cpu-x86_64";
#elif defined(__aarch64__)
  return "cpu-aarch64";
#else
  return "cpu-unknown";
#endif
}

std::string host_cpu_features() {
  std::string features;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  auto add = [&](bool present, const char* name) {
    if (present) features += std::string("+") + name;
  };
  add(__builtin_cpu_supports("avx2"), "avx2");
  add(__builtin_cpu_supports("fma"), "fma");
  add(__builtin_cpu_supports("avx512f"), "avx512f");
  add(__builtin_cpu_supports("avx512bw"), "avx512bw");
  add(__builtin_cpu_supports("avx512vl"), "avx512vl");
  add(__builtin_cpu_supports("avx512vnni"), "avx512vnni");
  add(__builtin_cpu_supports("avxvnni"), "avxvnni");
  add(__builtin_cpu_supports("amx-int8"), "amx-int8");
#endif
  return features;
}

}  // namespace qatrt
