// The subcommands, one file each. Each adds its CLI11 subcommand and flags to `app`; when that subcommand is
// chosen, its callback runs the command and stores the process exit code in `exit_code`. A callback may throw
// a CLI::ParseError subclass for a usage error that CLI11's own checks cannot express (exit code 2).
#pragma once

#include <CLI/CLI.hpp>

namespace qatrt::cli {

void add_build_command(CLI::App& app, int& exit_code);
void add_infer_command(CLI::App& app, int& exit_code);
void add_inspect_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_quantize_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_export_command(CLI::App& app, int& exit_code);
void add_compare_command(CLI::App& app, int& exit_code);
// qatrt's `train` runs the qatrt-train executable beside it (train_forwarding.cc), whose only command is
// add_train_command's (train_command.cc, linked with libtorch).
void add_train_forwarding_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);

}  // namespace qatrt::cli
