// The precision flags build and inspect share: --int8 (default), --fp32, --best, --fake-quant, --exact, --fp16,
// one at most.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

namespace qatrt::cli {

struct PrecisionFlags {
  bool int8 = false, fp32 = false, best = false, fake_quant = false, exact = false, fp16 = false;
  // The name parse_precision_mode() takes and plans record: "int8", "fp32", "best", "fakequant", "int8-exact" or
  // "fp16".
  std::string mode_name() const;
};

// Adds the six flags to `cmd`, mutually exclusive; `context` ends each help line (e.g. "With --onnx: ").
// Returns the options so a caller can add constraints (needs, excludes).
std::vector<CLI::Option*> add_precision_flags(CLI::App* cmd, PrecisionFlags& flags, const std::string& context);

}  // namespace qatrt::cli
