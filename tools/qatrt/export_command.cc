// qatrt export (--keras model.json | --onnx M) --output F.onnx [--weights float|int8]
// Any IR qatrt reads → ONNX opset 13: a Keras model as FP32 ONNX (for ONNX Runtime or any other consumer), or
// a Q/DQ model re-written in the other weight format.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "export/onnx_exporter.h"
#include "model_source.h"

namespace qatrt::cli {
namespace {

struct ExportCommandOptions {
  ModelSource model;
  std::string output;
  std::string weights = "int8";
};

int64_t parameter_count(const Graph& graph) {
  int64_t count = 0;
  for (const Value& value : graph.values)
    if (value.constant) count += value.constant->numel();
  return count;
}

int run_export(const ExportCommandOptions& o) {
  auto weight_format = parse_weight_format(o.weights);
  if (!weight_format.ok()) return fail(weight_format.status().with_context("--weights"));
  Stopwatch step;
  auto imported = load_model(o.model);
  if (!imported.ok()) return fail(imported.status());
  std::printf("import %s: %zu nodes, %lld constant elements  (%s)\n", o.model.path().c_str(), imported->nodes.size(),
              static_cast<long long>(parameter_count(*imported)), format_ms(step.ms()).c_str());
  step = Stopwatch();
  Status exported = export_onnx(*imported, o.output, {.weights = *weight_format});
  if (!exported.ok()) return fail(exported);
  std::error_code ec;
  const auto size = std::filesystem::file_size(o.output, ec);
  std::printf("wrote %s: opset 13, %s  (%s)\n", o.output.c_str(), ec ? "?" : format_bytes(size).c_str(),
              format_ms(step.ms()).c_str());
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<ExportCommandOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Write a model qatrt reads (Keras, ONNX) as ONNX opset 13");
  add_model_source_options(cmd, o->model);
  cmd->add_option("--output", o->output, "ONNX file to write")->required();
  cmd->add_option("--weights", o->weights, "Quantized weights as int8 + DQ (ONNX Runtime) or float + Q/DQ (sampleQAT)")
      ->check(CLI::IsMember({"int8", "float"}))
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_export(*o); });
}

}  // namespace qatrt::cli
