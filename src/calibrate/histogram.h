// Histogram of |x| over one tensor's values seen during calibration (symmetric int8 only needs magnitudes).
// A fixed number of bins; when a value falls beyond the range, the bin width doubles (adjacent bins merge
// exactly) until it fits, so no count is ever re-estimated. The exact running max is kept beside it.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace qatrt {

class AbsHistogram {
 public:
  static constexpr int kDefaultBins = 2048;
  explicit AbsHistogram(int bins = kDefaultBins) : counts_(static_cast<size_t>(bins), 0) {}
  AbsHistogram(std::vector<uint64_t> counts, double bin_width, float max_abs)
      : counts_(std::move(counts)), bin_width_(bin_width), max_abs_(max_abs) {}

  void observe(std::span<const float> values);

  const std::vector<uint64_t>& counts() const { return counts_; }
  double bin_width() const { return bin_width_; }  // 0 until a non-zero value is seen
  float max_abs() const { return max_abs_; }
  uint64_t total() const;

 private:
  void grow_to_cover(float value);

  std::vector<uint64_t> counts_;
  double bin_width_ = 0;
  float max_abs_ = 0;
};

}  // namespace qatrt
