#include "calibrate/histogram.h"

#include <cmath>
#include <numeric>

namespace qatrt {

uint64_t AbsHistogram::total() const { return std::accumulate(counts_.begin(), counts_.end(), uint64_t{0}); }

void AbsHistogram::grow_to_cover(float value) {
  const size_t bins = counts_.size();
  while (value >= bin_width_ * static_cast<double>(bins)) {
    // Double the width: new bin i holds old bins 2i and 2i+1.
    for (size_t i = 0; i < bins / 2; ++i) counts_[i] = counts_[2 * i] + counts_[2 * i + 1];
    std::fill(counts_.begin() + static_cast<std::ptrdiff_t>(bins / 2), counts_.end(), 0);
    bin_width_ *= 2;
  }
}

void AbsHistogram::observe(std::span<const float> values) {
  float batch_max = 0;
  for (float v : values) batch_max = std::fmax(batch_max, std::fabs(v));
  if (batch_max == 0 && bin_width_ == 0) {
    counts_[0] += values.size();
    return;
  }
  if (bin_width_ == 0) {
    // The first non-zero batch sets the range, with a little headroom so its max is not on the edge.
    bin_width_ = static_cast<double>(batch_max) * 1.0001 / static_cast<double>(counts_.size());
  }
  grow_to_cover(batch_max);
  max_abs_ = std::fmax(max_abs_, batch_max);
  const size_t last = counts_.size() - 1;
  for (float v : values) {
    auto bin = static_cast<size_t>(std::fabs(v) / bin_width_);
    counts_[bin > last ? last : bin] += 1;
  }
}

}  // namespace qatrt
