#include "calibrate/calibrators.h"

#include <cmath>
#include <limits>
#include <vector>

namespace qatrt {
namespace {

constexpr int kQuantLevels = 128;  // magnitudes 0..127 of symmetric int8

float percentile_amax(const AbsHistogram& h, double percentile) {
  const auto& counts = h.counts();
  const double target = static_cast<double>(h.total()) * percentile / 100.0;
  double seen = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    seen += static_cast<double>(counts[i]);
    if (seen >= target) return static_cast<float>(std::fmin((i + 1) * h.bin_width(), h.max_abs()));
  }
  return h.max_abs();
}

// KL(P‖Q) for the first `clip` bins: P is the histogram clipped at `clip` with the outliers added to its last
// bin; Q spreads each of 128 merged groups' mass evenly over the group's non-empty bins.
double clipped_divergence(const std::vector<double>& counts, size_t clip, double outliers) {
  std::vector<double> p(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(clip));
  p.back() += outliers;
  std::vector<double> q(clip, 0.0);
  for (int level = 0; level < kQuantLevels; ++level) {
    size_t begin = clip * static_cast<size_t>(level) / kQuantLevels;
    size_t end = clip * static_cast<size_t>(level + 1) / kQuantLevels;
    double mass = 0;
    size_t nonempty = 0;
    for (size_t i = begin; i < end; ++i) {
      mass += counts[i];
      nonempty += counts[i] > 0;
    }
    for (size_t i = begin; i < end; ++i)
      if (counts[i] > 0) q[i] = mass / static_cast<double>(nonempty);
  }
  double p_total = 0, q_total = 0;
  for (size_t i = 0; i < clip; ++i) {
    p_total += p[i];
    q_total += q[i];
  }
  if (p_total == 0 || q_total == 0) return std::numeric_limits<double>::infinity();
  double kl = 0;
  for (size_t i = 0; i < clip; ++i) {
    if (p[i] == 0) continue;
    if (q[i] == 0) return std::numeric_limits<double>::infinity();
    double pi = p[i] / p_total, qi = q[i] / q_total;
    kl += pi * std::log(pi / qi);
  }
  return kl;
}

float entropy_amax(const AbsHistogram& h) {
  std::vector<double> counts(h.counts().begin(), h.counts().end());
  // The spike of exact zeros (post-ReLU) says nothing about the clip point; like TensorRT, flatten it.
  if (counts.size() > 1) counts[0] = counts[1];
  double suffix = 0;
  for (double c : counts) suffix += c;
  std::vector<double> tail(counts.size() + 1, 0.0);  // tail[i] = Σ counts[i..]
  for (size_t i = counts.size(); i-- > 0;) tail[i] = tail[i + 1] + counts[i];
  double best = std::numeric_limits<double>::infinity();
  size_t best_clip = counts.size();
  for (size_t clip = kQuantLevels; clip <= counts.size(); ++clip) {
    double kl = clipped_divergence(counts, clip, tail[clip]);
    if (kl <= best) {  // ties go to the larger clip point, keeping more range
      best = kl;
      best_clip = clip;
    }
  }
  return static_cast<float>(std::fmin(best_clip * h.bin_width(), h.max_abs()));
}

float mse_amax(const AbsHistogram& h) {
  const auto& counts = h.counts();
  const double width = h.bin_width();
  double best = std::numeric_limits<double>::infinity();
  double best_amax = h.max_abs();
  for (size_t edge = kQuantLevels / 4; edge <= counts.size(); ++edge) {
    double amax = edge * width;
    double scale = amax / 127.0;
    double err = 0;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] == 0) continue;
      double x = (i + 0.5) * width;
      double q = std::fmin(std::nearbyint(x / scale), 127.0) * scale;
      err += static_cast<double>(counts[i]) * (x - q) * (x - q);
    }
    if (err < best) {
      best = err;
      best_amax = amax;
    }
  }
  return static_cast<float>(std::fmin(best_amax, h.max_abs()));
}

}  // namespace

StatusOr<CalibrationMethod> parse_calibration_method(const std::string& text) {
  if (text == "max") return CalibrationMethod::kMax;
  if (text == "percentile") return CalibrationMethod::kPercentile;
  if (text == "entropy") return CalibrationMethod::kEntropy;
  if (text == "mse") return CalibrationMethod::kMse;
  return make_error(StatusCode::kInvalidArgument, "unknown calibration method '", text,
                    "'; use max, percentile, entropy or mse");
}

const char* calibration_method_name(CalibrationMethod method) {
  switch (method) {
    case CalibrationMethod::kMax: return "max";
    case CalibrationMethod::kPercentile: return "percentile";
    case CalibrationMethod::kEntropy: return "entropy";
    case CalibrationMethod::kMse: return "mse";
  }
  return "?";
}

float compute_amax(const AbsHistogram& histogram, const CalibrationOptions& options) {
  if (histogram.max_abs() == 0) return 0;
  switch (options.method) {
    case CalibrationMethod::kMax: return histogram.max_abs();
    case CalibrationMethod::kPercentile: return percentile_amax(histogram, options.percentile);
    case CalibrationMethod::kEntropy: return entropy_amax(histogram);
    case CalibrationMethod::kMse: return mse_amax(histogram);
  }
  return histogram.max_abs();
}

}  // namespace qatrt
