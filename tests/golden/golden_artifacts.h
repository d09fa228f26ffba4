// What a golden test needs from outside the C++ tree: the PyTorch export (scripts/export_torch_qdq.py),
// ONNX Runtime (scripts/ort_run.js) and the qatrt CLI, run as commands; and the files they write
// (manifest.json, raw float32 tensors).
#pragma once

#include <string>
#include <vector>

namespace qatrt::golden {

// A command's exit status and combined stdout/stderr (kept in `log_path`).
struct CommandResult {
  int exit_code = -1;
  std::string output;
};

// Runs `command` through the shell with stdout and stderr sent to log_path.
CommandResult run_command(const std::string& command, const std::string& log_path);

// Single-quoted for the shell.
std::string shell_quoted(const std::string& text);
// The words, each quoted, joined by spaces.
std::string shell_command(const std::vector<std::string>& words);

// The tools, overridable by environment variables for machines with other layouts.
std::string python_program();  // QATRT_PYTHON, default /usr/bin/python3 (Debian's, with torch and onnx)
std::string node_program();    // QATRT_NODE, default node

struct ImageEntry {
  std::string name;
  std::string input;                     // paths relative to the model folder
  std::string torch_logits;
  std::string torch_weight_only_logits;
};

// manifest.json as written by scripts/export_torch_qdq.py.
struct Manifest {
  std::string model;
  std::vector<int64_t> input_shape;  // C, H, W
  int64_t num_classes = 0;
  std::string batchnorm;             // "separate" or "folded"
  double rounding_sensitivity = 0;
  std::vector<ImageEntry> images;
};

// Parses dir/manifest.json; on error returns false and sets `error`.
bool read_manifest(const std::string& dir, Manifest& manifest, std::string& error);

// Reads a raw little-endian float32 file of exactly `count` values (count < 0: any length).
bool read_f32(const std::string& path, int64_t count, std::vector<float>& values, std::string& error);

}  // namespace qatrt::golden
