#include "keras/weight_shards.h"

#include <bit>
#include <fstream>
#include <vector>

namespace qatrt {
namespace {

using nlohmann::json;

// Shards are little-endian float32, read straight into tensors.
static_assert(std::endian::native == std::endian::little, "weight shards are little-endian");

struct ManifestWeight {
  std::string name;
  Shape shape;
};

Status malformed(size_t group, const std::string& what) {
  return make_error(StatusCode::kCorrupt, "model.json: weightsManifest group ", group, ": ", what,
                    "; re-export the model with tensorflowjs_converter");
}

StatusOr<ManifestWeight> read_entry(const json& entry, size_t group) {
  if (!entry.is_object() || !entry.contains("name") || !entry["name"].is_string() || !entry.contains("shape") ||
      !entry["shape"].is_array())
    return malformed(group, "weight entry " + entry.dump() + " needs \"name\" and \"shape\"");
  ManifestWeight weight{entry["name"].get<std::string>(), {}};
  for (const json& dim : entry["shape"]) {
    if (!dim.is_number_integer() || dim.get<int64_t>() < 0)
      return malformed(group, "weight '" + weight.name + "' has shape " + entry["shape"].dump());
    weight.shape.push_back(dim.get<int64_t>());
  }
  std::string dtype = entry.value("dtype", std::string("float32"));
  if (dtype != "float32")
    return make_error(StatusCode::kUnsupported, "model.json: weight '", weight.name, "' has dtype ", dtype,
                      "; qatrt reads float32 weights only: export the Keras model in float32");
  if (entry.contains("quantization"))
    return make_error(StatusCode::kUnsupported, "model.json: weight '", weight.name,
                      "' is stored TF.js-quantized (", entry["quantization"].dump(),
                      "); re-export without --quantize_* so qatrt gets the float32 weights");
  return weight;
}

// Reads a group's shard files as one stream, checking first that every file exists and that together they
// hold exactly the bytes the manifest describes.
class ShardStream {
 public:
  static StatusOr<ShardStream> open(std::vector<std::filesystem::path> paths, size_t group, uint64_t expected) {
    uint64_t found = 0;
    for (size_t i = 0; i < paths.size(); ++i) {
      std::error_code error;
      uint64_t size = std::filesystem::file_size(paths[i], error);
      if (error)
        return make_error(StatusCode::kNotFound, "weight shard '", paths[i].string(), "' (group ", group, ", file ",
                          i + 1, " of ", paths.size(), ") cannot be read: ", error.message(),
                          "; copy every shard listed in model.json's weightsManifest next to model.json");
      found += size;
    }
    if (found != expected)
      return make_error(StatusCode::kCorrupt, "weight shards of group ", group, " (", paths.size(), " files from '",
                        paths.front().filename().string(), "') hold ", found, " bytes, but the manifest's weights need ",
                        expected, " bytes; the shards are truncated or belong to another model: download them again");
    return ShardStream(std::move(paths));
  }

  Status read(char* out, uint64_t count) {
    while (count > 0) {
      if (!file_.is_open() || file_.peek() == std::char_traits<char>::eof()) {
        if (next_ >= paths_.size()) break;
        file_.close();
        file_.open(paths_[next_++], std::ios::binary);
        if (!file_) return make_error(StatusCode::kIoError, "cannot open weight shard '", paths_[next_ - 1].string(), "'");
        continue;
      }
      file_.read(out, static_cast<std::streamsize>(count));
      auto got = static_cast<uint64_t>(file_.gcount());
      out += got;
      count -= got;
      file_.clear();  // a short read at the end of one shard continues in the next
    }
    if (count > 0) return make_error(StatusCode::kIoError, "weight shards ended early (", paths_.back().string(), ")");
    return {};
  }

 private:
  explicit ShardStream(std::vector<std::filesystem::path> paths) : paths_(std::move(paths)) {}
  std::vector<std::filesystem::path> paths_;
  size_t next_ = 0;
  std::ifstream file_;
};

}  // namespace

StatusOr<WeightStore> WeightStore::load(const json& manifest, const std::filesystem::path& directory) {
  WeightStore store;
  if (!manifest.is_array()) return malformed(0, "\"weightsManifest\" is not a list");
  for (size_t g = 0; g < manifest.size(); ++g) {
    const json& group = manifest[g];
    if (!group.is_object() || !group.contains("paths") || !group["paths"].is_array() || !group.contains("weights") ||
        !group["weights"].is_array())
      return malformed(g, "expected {\"paths\": [...], \"weights\": [...]}");
    std::vector<ManifestWeight> weights;
    uint64_t expected = 0;
    for (const json& entry : group["weights"]) {
      QATRT_ASSIGN_OR_RETURN(ManifestWeight weight, read_entry(entry, g));
      expected += static_cast<uint64_t>(shape_numel(weight.shape)) * sizeof(float);
      weights.push_back(std::move(weight));
    }
    std::vector<std::filesystem::path> paths;
    for (const json& path : group["paths"]) {
      if (!path.is_string()) return malformed(g, "shard path " + path.dump() + " is not a string");
      paths.push_back(directory / path.get<std::string>());
    }
    if (paths.empty()) {
      if (expected == 0) continue;
      return malformed(g, "no shard files listed for " + std::to_string(weights.size()) + " weights");
    }
    QATRT_ASSIGN_OR_RETURN(ShardStream stream, ShardStream::open(std::move(paths), g, expected));
    for (ManifestWeight& weight : weights) {
      Tensor tensor(DType::kFloat32, weight.shape);
      QATRT_RETURN_IF_ERROR(stream.read(static_cast<char*>(tensor.raw()), tensor.nbytes()));
      if (!store.tensors_.emplace(weight.name, std::move(tensor)).second)
        return malformed(g, "weight '" + weight.name + "' is listed twice");
    }
  }
  return store;
}

const Tensor* WeightStore::find(const std::string& name) const {
  auto it = tensors_.find(name);
  return it == tensors_.end() ? nullptr : &it->second;
}

}  // namespace qatrt
