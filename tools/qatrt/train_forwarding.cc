// `qatrt train`: hands the whole command line to qatrt-train, found in the folder of the running qatrt
// (/proc/self/exe), by exec — same process id, same exit code, same output. qatrt-train exists only when
// libtorch was found at build time; without it the command says how to get it.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli_common.h"
#include "commands.h"

namespace qatrt::cli {
namespace {

int exec_qatrt_train(const std::vector<std::string>& args) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  const std::filesystem::path trainer = self.parent_path() / "qatrt-train";
  if (ec || !std::filesystem::exists(trainer))
    return fail(make_error(StatusCode::kUnsupported, "qatrt train needs qatrt-train beside qatrt ('", trainer.string(),
                           "' not found): it is built when libtorch is found; install libtorch-dev "
                           "(scripts/install-deps.sh) and re-run cmake"));
  std::vector<std::string> words = {trainer.string(), "train"};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execv(trainer.c_str(), argv.data());
  return fail(make_error(StatusCode::kIoError, "cannot run '", trainer.string(), "'"));
}

}  // namespace

void add_train_forwarding_command(CLI::App& app, int& exit_code) {
  CLI::App* cmd = app.add_subcommand("train", "Quantization-aware fine-tuning (libtorch), then Q/DQ ONNX export");
  cmd->set_help_flag();  // qatrt-train prints the flags: --help is forwarded with the rest
  cmd->prefix_command();
  cmd->callback([cmd, &exit_code] { exit_code = exec_qatrt_train(cmd->remaining()); });
}

}  // namespace qatrt::cli
