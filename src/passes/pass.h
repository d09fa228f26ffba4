// A pass rewrites the graph in place. Each pass lives in its own file with the matched subgraph drawn at the
// top and its math written out; "does it match?" is kept apart from "rewrite it". The pipeline runs the
// verifier after every pass.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "ir/graph.h"

namespace qatrt {

struct PassContext {
  bool verbose = false;
  std::vector<std::string> log;  // one line per rewrite, printed by `build --verbose`
  // PrecisionMode::kInt8Exact: passes that round a scale or a bias to float32 also record its exact (double)
  // value in the node attributes that src/ir/ops.h ("Exact rounding") lists.
  bool exact_rounding = false;
  // Called by optimize_graph after each pass (and its shape inference + verification) with the pass name and
  // its wall time: `qatrt build` prints one progress line per pass from it. May be empty.
  std::function<void(const std::string& pass, double milliseconds)> on_pass_done;
};

struct Pass {
  std::string name;
  std::function<Status(Graph&, PassContext&)> run;
};

}  // namespace qatrt
