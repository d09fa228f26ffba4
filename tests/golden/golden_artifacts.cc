#include "golden_artifacts.h"

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace qatrt::golden {

CommandResult run_command(const std::string& command, const std::string& log_path) {
  CommandResult result;
  const int status = std::system((command + " > " + shell_quoted(log_path) + " 2>&1").c_str());
  result.exit_code = status == -1 ? -1 : (WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  std::ifstream log(log_path);
  std::ostringstream text;
  text << log.rdbuf();
  result.output = text.str();
  return result;
}

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string shell_command(const std::vector<std::string>& words) {
  std::string command;
  for (const std::string& word : words) {
    if (!command.empty()) command.append(" ");
    command.append(shell_quoted(word));
  }
  return command;
}

static std::string env_or(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value && *value ? value : fallback;
}

std::string python_program() { return env_or("QATRT_PYTHON", "/usr/bin/python3"); }
std::string node_program() { return env_or("QATRT_NODE", "node"); }

bool read_manifest(const std::string& dir, Manifest& manifest, std::string& error) {
  const std::string path = dir + "/manifest.json";
  std::ifstream file(path);
  if (!file) {
    error = "cannot open " + path;
    return false;
  }
  try {
    const auto json = nlohmann::json::parse(file);
    manifest.model = json.at("model");
    manifest.input_shape = json.at("input_shape").get<std::vector<int64_t>>();
    manifest.num_classes = json.at("num_classes");
    manifest.batchnorm = json.at("batchnorm");
    manifest.rounding_sensitivity = json.at("rounding_sensitivity");
    for (const auto& image : json.at("images")) {
      manifest.images.push_back({image.at("name"), image.at("input"), image.at("torch_logits"),
                                 image.at("torch_weight_only_logits")});
    }
  } catch (const nlohmann::json::exception& e) {
    error = path + ": " + e.what();
    return false;
  }
  if (manifest.input_shape.size() != 3 || manifest.images.empty() || manifest.num_classes <= 0) {
    error = path + ": expected input_shape [C, H, W], at least one image and num_classes > 0";
    return false;
  }
  return true;
}

bool read_f32(const std::string& path, int64_t count, std::vector<float>& values, std::string& error) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file) {
    error = "cannot open " + path;
    return false;
  }
  const auto bytes = static_cast<int64_t>(file.tellg());
  if (bytes % 4 != 0 || (count >= 0 && bytes != count * 4)) {
    error = path + ": " + std::to_string(bytes) + " bytes, expected " +
            (count >= 0 ? std::to_string(count * 4) : std::string("a multiple of 4"));
    return false;
  }
  values.resize(static_cast<size_t>(bytes / 4));
  file.seekg(0);
  file.read(reinterpret_cast<char*>(values.data()), bytes);  // the tree targets little-endian hosts
  return static_cast<bool>(file);
}

}  // namespace qatrt::golden
