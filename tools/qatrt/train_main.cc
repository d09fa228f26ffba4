// qatrt-train: `qatrt train` in its own executable, the only qatrt program linked with libtorch (loading it
// costs ~0.7 s at every process start, which build/infer/bench/eval should not pay). `qatrt train …` runs
// this binary from qatrt's own folder (train_forwarding.cc); it can also be run directly: qatrt-train train ….
#include <cstdio>

#include "cli_common.h"
#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"qatrt-train " + std::string(qatrt::cli::kVersion) + ": quantization-aware fine-tuning (libtorch)"};
  app.require_subcommand(1);
  int exit_code = 0;
  qatrt::cli::add_train_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::fprintf(stderr, "error: %s\nRun 'qatrt train --help' for usage.\n", e.what());
    return 2;
  }
  return exit_code;
}
