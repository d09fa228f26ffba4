#include "accuracy_chart.h"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace qatrt::cli {
namespace {

struct Series {
  const char* name;
  const char* colour;
  const PlanAccuracy* ModelComparison::*plan;
};
constexpr Series kSeries[] = {{"FP32", "#7f7f7f", &ModelComparison::fp32},
                              {"fake-quant (float)", "#1f77b4", &ModelComparison::fake_quant},
                              {"INT8 plan", "#ff7f0e", &ModelComparison::int8}};

double top1_percent(const PlanAccuracy& p) {
  return p.top1.empty() ? 0.0 : 100.0 * static_cast<double>(p.top1_hits) / static_cast<double>(p.top1.size());
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string accuracy_chart_svg(const std::vector<ModelComparison>& models, const std::string& subtitle) {
  double low = 100, high = 0;
  for (const ModelComparison& m : models)
    for (const Series& s : kSeries)
      if (const PlanAccuracy* p = m.*(s.plan)) {
        low = std::min(low, top1_percent(*p));
        high = std::max(high, top1_percent(*p));
      }
  if (low > high) low = 0, high = 100;
  const double axis_low = std::max(0.0, std::floor(low - 2.0));
  const double axis_high = std::min(100.0, std::ceil(high + 1.0));

  const int bar = 36, gap = 6, group_gap = 40, left = 60, top = 70, plot_h = 300;
  const int group_w = 3 * bar + 2 * gap;
  const int width = left + static_cast<int>(models.size()) * (group_w + group_gap) + 20;
  const int height = top + plot_h + 110;
  auto y_of = [&](double v) { return top + plot_h - (v - axis_low) / (axis_high - axis_low) * plot_h; };

  std::ostringstream svg;
  svg.setf(std::ios::fixed);
  svg.precision(1);
  svg << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << std::max(width, 480) << "\" height=\"" << height
      << "\" font-family=\"sans-serif\" font-size=\"12\">\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << left << "\" y=\"24\" font-size=\"16\">Top-1 by calibration: FP32, fake-quant, INT8 plan</text>\n"
      << "<text x=\"" << left << "\" y=\"44\" fill=\"#555\">" << escape(subtitle) << "</text>\n";
  for (double v = axis_low; v <= axis_high + 1e-9; v += 1.0) {
    svg << "<line x1=\"" << left << "\" x2=\"" << width - 20 << "\" y1=\"" << y_of(v) << "\" y2=\"" << y_of(v)
        << "\" stroke=\"#e0e0e0\"/>\n"
        << "<text x=\"" << left - 6 << "\" y=\"" << y_of(v) + 4 << "\" text-anchor=\"end\">" << v << "%</text>\n";
  }
  svg << "<text x=\"14\" y=\"" << top + plot_h / 2 << "\" transform=\"rotate(-90 14 " << top + plot_h / 2
      << ")\" text-anchor=\"middle\">top-1 (axis starts at " << axis_low << "%)</text>\n";
  for (size_t g = 0; g < models.size(); ++g) {
    const int x0 = left + 20 + static_cast<int>(g) * (group_w + group_gap);
    for (int s = 0; s < 3; ++s) {
      const PlanAccuracy* p = models[g].*(kSeries[s].plan);
      if (!p) continue;
      const double v = top1_percent(*p);
      const int x = x0 + s * (bar + gap);
      svg << "<rect x=\"" << x << "\" y=\"" << y_of(v) << "\" width=\"" << bar << "\" height=\""
          << top + plot_h - y_of(v) << "\" fill=\"" << kSeries[s].colour << "\"/>\n";
      svg.precision(2);
      svg << "<text x=\"" << x + bar / 2 << "\" y=\"" << y_of(v) - 4 << "\" text-anchor=\"middle\" font-size=\"10\">"
          << v << "</text>\n";
      svg.precision(1);
    }
    svg << "<text x=\"" << x0 + group_w / 2 << "\" y=\"" << top + plot_h + 18 << "\" text-anchor=\"middle\">"
        << escape(models[g].source_model) << "</text>\n";
  }
  for (int s = 0; s < 3; ++s) {
    const int x = left + s * 170;
    svg << "<rect x=\"" << x << "\" y=\"" << top + plot_h + 50 << "\" width=\"14\" height=\"14\" fill=\""
        << kSeries[s].colour << "\"/>\n<text x=\"" << x + 20 << "\" y=\"" << top + plot_h + 62 << "\">"
        << kSeries[s].name << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace qatrt::cli
