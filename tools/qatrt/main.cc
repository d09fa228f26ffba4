// qatrt: build an INT8 plan from a Q/DQ ONNX model, run it on images, inspect it, benchmark it.
// Flag names follow trtexec where it has one (--onnx, --saveEngine, --int8, --best, --dumpLayerInfo,
// --iterations, --duration, --warmUp, --exportTimes, --verbose).
#include <cstdio>

#include "cli_common.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"qatrt " + std::string(qatrt::cli::kVersion) +
               ": builds INT8 plans from Q/DQ ONNX models and runs them on the CPU"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(qatrt::cli::kVersion));
  int exit_code = 0;
  qatrt::cli::add_build_command(app, exit_code);
  qatrt::cli::add_infer_command(app, exit_code);
  qatrt::cli::add_inspect_command(app, exit_code);
  qatrt::cli::add_bench_command(app, exit_code);
  qatrt::cli::add_quantize_command(app, exit_code);
  qatrt::cli::add_eval_command(app, exit_code);
  qatrt::cli::add_export_command(app, exit_code);
  qatrt::cli::add_compare_command(app, exit_code);
  qatrt::cli::add_train_forwarding_command(app, exit_code);
  // CLI11 would report an unknown command word as "A subcommand is required"; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
      found = found || sub->get_name() == argv[1];
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      std::fprintf(stderr, "error: unknown command '%s'; use one of: %s (qatrt --help)\n", argv[1], known.c_str());
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "error: %s\nRun 'qatrt --help' or 'qatrt <command> --help' for usage.\n", e.what());
    return 2;
  }
  return exit_code;
}
