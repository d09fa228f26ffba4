#include "plan/plan_info_json.h"

#include <map>
#include <nlohmann/json.hpp>

namespace qatrt {

std::string encode_plan_info(const PlanInfo& info, const Graph& graph) {
  std::map<std::string, int> by_precision, by_op;
  for (const Node& n : graph.nodes) {
    ++by_precision[std::string(precision_name(n.precision))];
    ++by_op[std::string(op_name(n.op))];
  }
  nlohmann::ordered_json j;
  j["target"] = info.target;
  j["target_features"] = info.target_features;
  j["precision_mode"] = info.precision_mode;
  j["source_model"] = info.source_model;
  j["builder_version"] = info.builder_version;
  j["creation_time"] = info.creation_time;
  j["graph_name"] = graph.name;
  j["layers"] = {{"count", graph.nodes.size()}, {"by_precision", by_precision}, {"by_op", by_op}};
  // Invalid UTF-8 in a name (ONNX does not forbid it) is replaced rather than refused: the info is for reading.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

StatusOr<PlanInfo> decode_plan_info(std::span<const uint8_t> json_bytes) {
  auto j = nlohmann::json::parse(json_bytes.begin(), json_bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return Status(StatusCode::kCorrupt, "info section is not a JSON object");
  PlanInfo info;
  struct Field {
    const char* key;
    std::string* out;
    bool required;
  };
  const Field fields[] = {{"target", &info.target, true},
                          {"precision_mode", &info.precision_mode, true},
                          {"source_model", &info.source_model, true},
                          {"builder_version", &info.builder_version, true},
                          {"creation_time", &info.creation_time, false},
                          {"target_features", &info.target_features, false}};
  for (const Field& f : fields) {
    auto it = j.find(f.key);
    if (it == j.end()) {
      if (f.required) return make_error(StatusCode::kCorrupt, "info section has no '", f.key, "' field");
      continue;
    }
    if (!it->is_string()) return make_error(StatusCode::kCorrupt, "info section field '", f.key, "' is not a string");
    *f.out = it->get<std::string>();
  }
  return info;
}

}  // namespace qatrt
