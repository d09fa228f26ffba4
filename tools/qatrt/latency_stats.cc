#include "latency_stats.h"

#include <algorithm>
#include <cstdint>

namespace qatrt::cli {

double percentile(const std::vector<double>& sorted, double p) {
  const auto n = static_cast<int64_t>(sorted.size());
  const auto exclude = static_cast<int64_t>((1.0 - p / 100.0) * static_cast<double>(n));
  return sorted[static_cast<size_t>(std::clamp<int64_t>(n - 1 - exclude, 0, n - 1))];
}

double median(const std::vector<double>& sorted) {
  const size_t n = sorted.size();
  return n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

void print_latency_line(std::FILE* out, const char* label, std::vector<double> values) {
  if (values.empty()) return;
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double v : values) sum += v;
  std::fprintf(out,
               "%s: min = %.4f ms, max = %.4f ms, mean = %.4f ms, median = %.4f ms, percentile(90%%) = %.4f ms, "
               "percentile(95%%) = %.4f ms, percentile(99%%) = %.4f ms\n",
               label, values.front(), values.back(), sum / static_cast<double>(values.size()), median(values),
               percentile(values, 90), percentile(values, 95), percentile(values, 99));
}

}  // namespace qatrt::cli
