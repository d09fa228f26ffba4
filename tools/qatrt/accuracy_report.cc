#include "accuracy_report.h"

#include "cli_common.h"

namespace qatrt::cli {
namespace {

double percent(int64_t hits, size_t images) { return images ? 100.0 * static_cast<double>(hits) / static_cast<double>(images) : 0.0; }
double top1_percent(const PlanAccuracy& p) { return percent(p.top1_hits, p.top1.size()); }
bool is_int8_mode(const std::string& mode) { return mode == "int8" || mode == "best"; }

// "81.23%" or "-" for a plan that was not given.
std::string cell(const PlanAccuracy* plan) {
  if (!plan) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", top1_percent(*plan));
  return text;
}

std::string agreement_cell(const PlanAccuracy* a, const PlanAccuracy* b) {
  if (!a || !b) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f%%", 100.0 * top1_agreement(*a, *b));
  return text;
}

std::string delta_cell(const PlanAccuracy* plan, const PlanAccuracy* reference) {
  if (!plan || !reference) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%+.2f", top1_percent(*plan) - top1_percent(*reference));
  return text;
}

}  // namespace

double top1_agreement(const PlanAccuracy& a, const PlanAccuracy& b) {
  const size_t n = std::min(a.top1.size(), b.top1.size());
  if (n == 0) return 0.0;
  size_t same = 0;
  for (size_t i = 0; i < n; ++i) same += a.top1[i] == b.top1[i];
  return static_cast<double>(same) / static_cast<double>(n);
}

std::vector<ModelComparison> compare_by_model(const std::vector<PlanAccuracy>& plans) {
  const PlanAccuracy* fp32 = nullptr;
  for (const PlanAccuracy& p : plans)
    if (p.precision_mode == "fp32") {
      fp32 = &p;
      break;
    }
  std::vector<ModelComparison> models;
  for (const PlanAccuracy& p : plans) {
    const bool fake_quant = p.precision_mode == "fakequant";
    const bool exact = p.precision_mode == "int8-exact";
    if (!fake_quant && !exact && !is_int8_mode(p.precision_mode)) continue;
    auto it = std::find_if(models.begin(), models.end(),
                           [&](const ModelComparison& m) { return m.source_model == p.source_model; });
    if (it == models.end()) it = models.insert(models.end(), {.source_model = p.source_model, .fp32 = fp32});
    const PlanAccuracy*& slot = fake_quant ? it->fake_quant : exact ? it->int8_exact : it->int8;
    if (!slot) slot = &p;  // a second plan of the same kind keeps its own row in the plan table only
  }
  return models;
}

void print_plan_table(std::FILE* out, const std::vector<PlanAccuracy>& plans) {
  std::fprintf(out, "%-36s %-10s %8s %8s %10s %18s\n", "plan", "precision", "top-1", "top-5", "images/s",
               "top-1 agrees w/ 1st");
  for (const PlanAccuracy& p : plans) {
    const size_t n = p.top1.size();
    std::fprintf(out, "%-36s %-10s %7.2f%% %7.2f%% %10.1f %17.2f%%\n", base_name(p.plan).c_str(),
                 p.precision_mode.c_str(), percent(p.top1_hits, n), percent(p.top5_hits, n),
                 p.seconds > 0 ? static_cast<double>(n) / p.seconds : 0.0, 100.0 * top1_agreement(p, plans[0]));
  }
}

void print_model_table(std::FILE* out, const std::vector<ModelComparison>& models) {
  if (models.empty()) return;
  std::fprintf(out, "\ntop-1 by Q/DQ model (FP32 = %s)\n",
               models[0].fp32 ? base_name(models[0].fp32->plan).c_str() : "no --fp32 plan given");
  // The --exact columns appear only when an exact plan was given, so the usual table keeps its shape.
  const bool any_exact = std::any_of(models.begin(), models.end(), [](const ModelComparison& m) { return m.int8_exact; });
  std::fprintf(out, "%-32s %9s %12s %9s %10s %16s %14s", "Q/DQ model", "FP32", "fake-quant", "INT8",
               "INT8-FP32", "INT8=fake-quant", "INT8=FP32");
  if (any_exact) std::fprintf(out, " %11s %11s", "INT8 exact", "exact=INT8");
  std::fprintf(out, "\n");
  for (const ModelComparison& m : models) {
    std::fprintf(out, "%-32s %9s %12s %9s %10s %16s %14s", m.source_model.c_str(), cell(m.fp32).c_str(),
                 cell(m.fake_quant).c_str(), cell(m.int8).c_str(), delta_cell(m.int8, m.fp32).c_str(),
                 agreement_cell(m.int8, m.fake_quant).c_str(), agreement_cell(m.int8, m.fp32).c_str());
    if (any_exact)
      std::fprintf(out, " %11s %11s", cell(m.int8_exact).c_str(), agreement_cell(m.int8_exact, m.int8).c_str());
    std::fprintf(out, "\n");
  }
}

nlohmann::json accuracy_json(const std::vector<PlanAccuracy>& plans, const std::vector<ModelComparison>& models,
                             const std::vector<std::string>& images, const std::vector<int64_t>& labels) {
  nlohmann::json json;
  json["images"] = images;
  json["labels"] = labels;
  for (const PlanAccuracy& p : plans) {
    const size_t n = p.top1.size();
    json["plans"].push_back({{"plan", p.plan},
                             {"precision_mode", p.precision_mode},
                             {"source_model", p.source_model},
                             {"top1", percent(p.top1_hits, n) / 100.0},
                             {"top5", percent(p.top5_hits, n) / 100.0},
                             {"images_per_second", p.seconds > 0 ? static_cast<double>(n) / p.seconds : 0.0},
                             {"top1_agreement_with_first", top1_agreement(p, plans[0])},
                             {"top1_per_image", p.top1}});
  }
  json["models"] = nlohmann::json::array();
  for (const ModelComparison& m : models) {
    nlohmann::json row{{"source_model", m.source_model}};
    auto put = [&](const char* key, const PlanAccuracy* plan) {
      row[key] = plan ? nlohmann::json(top1_percent(*plan) / 100.0) : nlohmann::json(nullptr);
    };
    put("fp32_top1", m.fp32);
    put("fake_quant_top1", m.fake_quant);
    put("int8_top1", m.int8);
    put("int8_exact_top1", m.int8_exact);
    row["int8_agrees_with_fake_quant"] =
        m.int8 && m.fake_quant ? nlohmann::json(top1_agreement(*m.int8, *m.fake_quant)) : nlohmann::json(nullptr);
    row["int8_agrees_with_fp32"] =
        m.int8 && m.fp32 ? nlohmann::json(top1_agreement(*m.int8, *m.fp32)) : nlohmann::json(nullptr);
    json["models"].push_back(row);
  }
  return json;
}

}  // namespace qatrt::cli
