#include "data/labels.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace qatrt {
namespace {

bool is_synset(const std::string& s) {
  if (s.size() != 9 || s[0] != 'n') return false;
  for (size_t i = 1; i < s.size(); ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

// A JSON label entry: "name", or [name], or [synset, name].
bool label_from_json(const nlohmann::json& entry, Label& label) {
  if (entry.is_string()) {
    label.name = entry.get<std::string>();
    return true;
  }
  if (entry.is_array() && entry.size() == 1 && entry[0].is_string()) {
    label.name = entry[0].get<std::string>();
    return true;
  }
  if (entry.is_array() && entry.size() == 2 && entry[0].is_string() && entry[1].is_string()) {
    label.synset = entry[0].get<std::string>();
    label.name = entry[1].get<std::string>();
    return true;
  }
  return false;
}

StatusOr<std::vector<Label>> parse_json_labels(const std::string& text, const std::string& origin) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return make_error(StatusCode::kInvalidArgument, "labels '", origin, "' is not valid JSON");
  std::vector<Label> labels;
  if (j.is_array()) {
    labels.resize(j.size());
    for (size_t i = 0; i < j.size(); ++i)
      if (!label_from_json(j[i], labels[i]))
        return make_error(StatusCode::kInvalidArgument, "labels '", origin, "': entry ", i,
                          " is not a name or a [synset, name] pair");
    return labels;
  }
  if (!j.is_object())
    return make_error(StatusCode::kInvalidArgument, "labels '", origin, "': expected a JSON array or object");
  labels.resize(j.size());
  std::vector<bool> seen(j.size(), false);
  for (const auto& [key, entry] : j.items()) {
    size_t index = 0;
    const bool numeric = !key.empty() && key.size() < 10 &&
                         std::all_of(key.begin(), key.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (numeric) index = std::stoul(key);
    if (!numeric || index >= labels.size() || seen[index])
      return make_error(StatusCode::kInvalidArgument, "labels '", origin, "': key '", key,
                        "' is not a distinct class index in [0, ", labels.size(), ")");
    seen[index] = true;
    if (!label_from_json(entry, labels[index]))
      return make_error(StatusCode::kInvalidArgument, "labels '", origin, "': entry '", key,
                        "' is not a name or a [synset, name] pair");
  }
  return labels;
}

StatusOr<std::vector<Label>> parse_text_labels(const std::string& text, const std::string& origin) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string::npos) lines.pop_back();
  std::vector<Label> labels(lines.size());
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& line = lines[i];
    if (line.find_first_not_of(" \t") == std::string::npos)
      return make_error(StatusCode::kInvalidArgument, "labels '", origin, "': line ", i + 1,
                        " is empty (one label per line, line N = class N-1)");
    const size_t space = line.find_first_of(" \t");
    const size_t rest = line.find_first_not_of(" \t", space);
    if (rest != std::string::npos && is_synset(line.substr(0, space))) {
      labels[i].synset = line.substr(0, space);
      labels[i].name = line.substr(rest);
    } else {
      labels[i].name = line;
    }
  }
  return labels;
}

}  // namespace

StatusOr<std::vector<Label>> parse_labels(const std::string& text, const std::string& origin) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return make_error(StatusCode::kInvalidArgument, "labels '", origin, "' is empty");
  if (text[first] == '[' || text[first] == '{') return parse_json_labels(text, origin);
  return parse_text_labels(text, origin);
}

StatusOr<std::vector<Label>> load_labels(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(StatusCode::kNotFound, "labels file '", path, "' not found");
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  if (!file) return make_error(StatusCode::kIoError, "cannot read labels file '", path, "'");
  return parse_labels(text.str(), path);
}

}  // namespace qatrt
