// The model table of `qatrt eval` (accuracy_report.h) as an SVG bar chart: for each Q/DQ model, bars for
// FP32, fake-quant and INT8 top-1, each labelled with its value. Plain SVG 1.1, no scripts or fonts to fetch.
#pragma once

#include <string>
#include <vector>

#include "accuracy_report.h"

namespace qatrt::cli {

// `subtitle` names the images and the machine. The value axis starts below the lowest bar (its start is
// printed on the axis), so differences of a few tenths of a point stay visible.
std::string accuracy_chart_svg(const std::vector<ModelComparison>& models, const std::string& subtitle);

}  // namespace qatrt::cli
