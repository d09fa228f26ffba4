#include "logit_comparison.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace qatrt::golden {

static int argmax(const std::vector<float>& row) {
  return static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
}

ImageComparison compare_logits(const std::string& image, const std::vector<float>& reference,
                               const std::vector<float>& candidate) {
  ImageComparison c;
  c.image = image;
  c.reference_top1 = argmax(reference);
  c.candidate_top1 = argmax(candidate);
  float second = -INFINITY;
  for (size_t k = 0; k < reference.size(); ++k) {
    if (static_cast<int>(k) != c.reference_top1) second = std::max(second, reference[k]);
  }
  c.reference_margin = reference.size() > 1 ? reference[static_cast<size_t>(c.reference_top1)] - second : 0.0f;
  // A size mismatch is a difference too: compare over the common prefix and make it fail loudly.
  if (reference.size() != candidate.size()) c.max_abs_diff = INFINITY;
  for (size_t k = 0; k < std::min(reference.size(), candidate.size()); ++k) {
    c.max_abs_diff = std::max(c.max_abs_diff, std::fabs(reference[k] - candidate[k]));
  }
  if (std::isnan(c.max_abs_diff)) c.max_abs_diff = INFINITY;
  return c;
}

float LogitComparison::max_abs_diff() const {
  float worst = 0;
  for (const auto& c : images) worst = std::max(worst, c.max_abs_diff);
  return worst;
}

bool LogitComparison::top1_agrees() const {
  return std::all_of(images.begin(), images.end(),
                     [](const ImageComparison& c) { return c.reference_top1 == c.candidate_top1; });
}

std::string LogitComparison::table() const {
  std::string out = title + "\n";
  char line[256];
  std::snprintf(line, sizeof line, "  %-18s %9s %9s %9s %12s\n", "image", "ref top1", "top1", "margin",
                "max|dlogit|");
  out += line;
  for (const auto& c : images) {
    std::snprintf(line, sizeof line, "  %-18s %9d %9d %9.4f %12.6g%s\n", c.image.c_str(), c.reference_top1,
                  c.candidate_top1, c.reference_margin, c.max_abs_diff,
                  c.reference_top1 == c.candidate_top1 ? "" : "  <-- top-1 differs");
    out += line;
  }
  std::snprintf(line, sizeof line, "  max|dlogit| %.6g, top-1 %s\n", max_abs_diff(),
                top1_agrees() ? "agrees on every image" : "DIFFERS");
  return out + line;
}

float max_abs(const std::vector<std::vector<float>>& rows) {
  float m = 0;
  for (const auto& row : rows)
    for (float x : row) m = std::max(m, std::fabs(x));
  return m;
}

}  // namespace qatrt::golden
