// Comparing two runtimes' logits image by image: top-1 of each, the reference's top-1 margin, and the
// largest absolute difference; printed as one table per comparison.
#pragma once

#include <string>
#include <vector>

namespace qatrt::golden {

struct ImageComparison {
  std::string image;
  int reference_top1 = -1;
  int candidate_top1 = -1;
  float reference_margin = 0;  // reference top-1 logit minus its second-best logit
  float max_abs_diff = 0;
};

struct LogitComparison {
  std::string title;  // e.g. "resnet50 INT8: qatrt cpu vs ONNX Runtime"
  std::vector<ImageComparison> images;
  float max_abs_diff() const;
  bool top1_agrees() const;
  std::string table() const;  // one line per image and a summary line
};

ImageComparison compare_logits(const std::string& image, const std::vector<float>& reference,
                               const std::vector<float>& candidate);

// Largest |x| over every row.
float max_abs(const std::vector<std::vector<float>>& rows);

}  // namespace qatrt::golden
