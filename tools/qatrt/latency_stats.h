// Latency statistics as trtexec reports them, shared by the benchmark commands.
//   Percentiles: of n sorted latencies, p% is element n − 1 − ⌊(1 − p/100)·n⌋; the median averages the two
//   middle elements when n is even.
#pragma once

#include <cstdio>
#include <vector>

namespace qatrt::cli {

double percentile(const std::vector<double>& sorted, double p);
double median(const std::vector<double>& sorted);
// "<label>: min = .. ms, max = .., mean = .., median = .., percentile(90%) = .., (95%), (99%)" and a newline.
// `values` need not be sorted.
void print_latency_line(std::FILE* out, const char* label, std::vector<double> values);

}  // namespace qatrt::cli
