#include "precision_flags.h"

namespace qatrt::cli {

std::string PrecisionFlags::mode_name() const {
  if (fp32) return "fp32";
  if (best) return "best";
  if (fake_quant) return "fakequant";
  if (exact) return "int8-exact";
  if (fp16) return "fp16";
  return "int8";
}

std::vector<CLI::Option*> add_precision_flags(CLI::App* cmd, PrecisionFlags& flags, const std::string& context) {
  std::vector<CLI::Option*> options = {
      cmd->add_flag("--int8", flags.int8, context + "Honour the model's Q/DQ: quantized layers run INT8 (default)"),
      cmd->add_flag("--fp32", flags.fp32, context + "Ignore Q/DQ: weights dequantized once, every layer FP32"),
      cmd->add_flag("--best", flags.best, context + "Best available precision per layer (= --int8 on CPU)"),
      cmd->add_flag("--fake-quant", flags.fake_quant,
                    context + "Keep every Q/DQ and compute in float on the rounded values (the accuracy oracle)"),
      cmd->add_flag("--exact", flags.exact,
                    context + "INT8 with exact rounding: every integer equals a float64 evaluation of the Q/DQ "
                              "graph (double-precision requantization; CPU and reference backends, slower)"),
      cmd->add_flag("--fp16", flags.fp16,
                    context + "Ignore Q/DQ like --fp32, then every float layer in float16 (float32 in and out; "
                              "the cuda backend only)"),
  };
  for (size_t i = 0; i < options.size(); ++i)
    for (size_t j = i + 1; j < options.size(); ++j) options[i]->excludes(options[j]);
  return options;
}

}  // namespace qatrt::cli
