// qatrt compare --engine A.plan --engine B.plan --image IMG [--backend cpu --backend reference] [--preprocess caffe]
// Layer by layer: every activation two plans share by name (the values a fusion kept: Q outputs, QConv
// outputs, …), computed from the same image, side by side — where two builds or two backends of one model
// start to drift, and by how much. int8 values are compared in units of their own scale (LSB).
#include <cmath>
#include <cstdio>
#include <memory>

#include "cli_common.h"
#include "commands.h"
#include "model_io.h"
#include "runtime/engine.h"

namespace qatrt::cli {
namespace {

struct CompareOptions {
  std::vector<std::string> plans;
  std::vector<std::string> backends;
  std::string image, preprocess = "caffe";
  int threads = 0;
  double lsb_tolerance = 1.0;
};

// A plan run with every activation kept as an output: name → tensor.
StatusOr<std::map<std::string, Tensor>> run_all_values(const std::string& path, const std::string& backend,
                                                       const CompareOptions& o, PreprocessPreset preset) {
  QATRT_ASSIGN_OR_RETURN(Plan plan, read_plan_for_host(path));
  QATRT_ASSIGN_OR_RETURN(ImageInput input, describe_image_input(plan.graph));
  Graph& graph = plan.graph;
  if (graph.inputs.size() != 1) return make_error(StatusCode::kUnsupported, "compare runs plans with one image input");
  for (const Node& node : graph.nodes)
    for (ValueId out : node.outputs)
      if (!graph.is_graph_output(out)) graph.outputs.push_back(out);
  std::vector<std::string> names;
  for (ValueId out : graph.outputs) names.push_back(graph.value(out).name);
  QATRT_ASSIGN_OR_RETURN(Tensor image, load_image_batch(std::vector<std::string>{o.image},
                                                        image_preprocessing(input, preset), o.threads));
  QATRT_ASSIGN_OR_RETURN(auto engine, Engine::create(std::move(graph), {.backend = backend, .threads = o.threads}));
  QATRT_ASSIGN_OR_RETURN(auto context, engine->create_context(1));
  QATRT_ASSIGN_OR_RETURN(std::vector<Tensor> outputs, context->run({image}));
  std::map<std::string, Tensor> values;
  for (size_t i = 0; i < names.size(); ++i) values.emplace(names[i], std::move(outputs[i]));
  return values;
}

struct Difference {
  double max_abs = 0;      // in the tensor's units (float) or in LSB (int8/uint8)
  double max_magnitude = 0;
  int64_t differing = 0;
};

Difference difference(const Tensor& a, const Tensor& b) {
  Difference d;
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.as_double(i), y = b.as_double(i);
    d.max_abs = std::max(d.max_abs, std::fabs(x - y));
    d.max_magnitude = std::max(d.max_magnitude, std::fabs(x));
    d.differing += x != y;
  }
  return d;
}

int run_compare(const CompareOptions& o) {
  auto preset = parse_preprocess_preset(o.preprocess);
  if (!preset.ok()) return fail(preset.status());
  std::vector<std::string> backends = o.backends;
  backends.resize(2, backends.empty() ? "cpu" : backends.back());
  std::vector<std::map<std::string, Tensor>> runs;
  for (size_t k = 0; k < 2; ++k) {
    auto values = run_all_values(o.plans[k], backends[k], o, *preset);
    if (!values.ok()) return fail(values.status().with_context(o.plans[k]));
    runs.push_back(std::move(values).value());
  }
  // Plan A's order (topological) for the rows.
  auto plan_a = read_plan_for_host(o.plans[0]);
  if (!plan_a.ok()) return fail(plan_a.status());
  std::printf("A = %s (%s), B = %s (%s), image %s\n", base_name(o.plans[0]).c_str(), backends[0].c_str(),
              base_name(o.plans[1]).c_str(), backends[1].c_str(), o.image.c_str());
  std::printf("%-36s %-16s %12s %12s %10s  %s\n", "value (in both plans)", "dtype[shape]", "max|A-B|", "max|A|",
              "differ", "");
  int shared = 0, drifting = 0;
  for (const Node& node : plan_a->graph.nodes)
    for (ValueId id : node.outputs) {
      const std::string& name = plan_a->graph.value(id).name;
      auto a = runs[0].find(name), b = runs[1].find(name);
      if (a == runs[0].end() || b == runs[1].end()) continue;
      ++shared;
      if (a->second.dtype() != b->second.dtype() || a->second.shape() != b->second.shape()) {
        std::printf("%-36s types or shapes differ: %s vs %s\n", name.c_str(),
                    shape_to_string(a->second.shape()).c_str(), shape_to_string(b->second.shape()).c_str());
        continue;
      }
      const Difference d = difference(a->second, b->second);
      const bool quantized = is_quantized_type(a->second.dtype());
      const bool drift = quantized ? d.max_abs > o.lsb_tolerance : d.max_abs > 1e-3 * d.max_magnitude + 1e-6;
      drifting += drift;
      std::string type = std::string(dtype_name(a->second.dtype())) + shape_to_string(a->second.shape());
      std::printf("%-36s %-16s %9.4g%s %12.4g %9.3f%%  %s\n", name.c_str(), type.c_str(), d.max_abs,
                  quantized ? "LSB" : "   ", d.max_magnitude,
                  100.0 * static_cast<double>(d.differing) / static_cast<double>(std::max<int64_t>(1, a->second.numel())),
                  drift ? "<- drift" : "");
    }
  std::printf("%d shared values, %d beyond tolerance (int8: > %.3g LSB; float: > 1e-3 of the tensor's max)\n", shared,
              drifting, o.lsb_tolerance);
  return 0;
}

}  // namespace

void add_compare_command(CLI::App& app, int& exit_code) {
  auto o = std::make_shared<CompareOptions>();
  CLI::App* cmd = app.add_subcommand("compare", "Compare two plans (or two backends) layer by layer on one image");
  cmd->add_option("--engine", o->plans, "Two plan files (the same file twice to compare backends)")
      ->required()
      ->expected(2);
  cmd->add_option("--backend", o->backends, "Backend for each plan: cpu or reference (one applies to both)")
      ->expected(1, 2)
      ->check(CLI::IsMember({"cpu", "reference"}));
  cmd->add_option("--image", o->image, "Image file (JPEG or PNG)")->required();
  cmd->add_option("--preprocess", o->preprocess, "caffe, torch or tf")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Threads (0 = all)");
  cmd->add_option("--lsb-tolerance", o->lsb_tolerance, "int8 values differing by more LSB than this are flagged")
      ->capture_default_str();
  cmd->callback([o, &exit_code] { exit_code = run_compare(*o); });
}

}  // namespace qatrt::cli
