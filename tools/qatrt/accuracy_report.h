// What `qatrt eval` reports for several plans on the same images: one row per plan, then — when the plans
// include Q/DQ models built both with --fake-quant and --int8 — one row per Q/DQ model comparing its
// fake-quant (float) and INT8 plans with the FP32 plan: the sampleQAT accuracy table.
#pragma once

#include <cstdint>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace qatrt::cli {

struct PlanAccuracy {
  std::string plan;            // the plan file
  std::string precision_mode;  // from the plan header: int8, best, fp32, fakequant, int8-exact
  std::string source_model;    // the ONNX file it was built from (groups a model's fake-quant and int8 plans)
  std::vector<int64_t> top1;   // per image, in the label file's order
  int64_t top1_hits = 0, top5_hits = 0;
  double seconds = 0;
};

// One Q/DQ model: its plans (null when not given) and the FP32 plan compared with (the first --fp32 plan).
struct ModelComparison {
  std::string source_model;
  const PlanAccuracy* fp32 = nullptr;
  const PlanAccuracy* fake_quant = nullptr;
  const PlanAccuracy* int8 = nullptr;  // an int8 or best plan
  const PlanAccuracy* int8_exact = nullptr;  // built with --exact
};

// Models in the order their first plan was given; only models with a fake-quant, an int8 or an exact plan.
std::vector<ModelComparison> compare_by_model(const std::vector<PlanAccuracy>& plans);

// Fraction of images on which the two plans agree on top-1.
double top1_agreement(const PlanAccuracy& a, const PlanAccuracy& b);

void print_plan_table(std::FILE* out, const std::vector<PlanAccuracy>& plans);
void print_model_table(std::FILE* out, const std::vector<ModelComparison>& models);

// Everything above, plus the images, their labels and each plan's per-image top-1 (for comparing with another
// runtime image by image: scripts/compare_top1.py).
nlohmann::json accuracy_json(const std::vector<PlanAccuracy>& plans, const std::vector<ModelComparison>& models,
                             const std::vector<std::string>& images, const std::vector<int64_t>& labels);

}  // namespace qatrt::cli
