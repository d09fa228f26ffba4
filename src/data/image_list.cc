#include "data/image_list.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>

namespace qatrt {
namespace {

bool has_image_extension(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png";
}

}  // namespace

StatusOr<std::vector<std::string>> list_images(const std::string& dir_or_list, size_t limit) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::vector<std::string> paths;
  if (fs::is_directory(dir_or_list, ec)) {
    for (auto it = fs::recursive_directory_iterator(dir_or_list, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec))
      if (it->is_regular_file() && has_image_extension(it->path())) paths.push_back(it->path().string());
    if (ec) return make_error(StatusCode::kIoError, "cannot list '", dir_or_list, "': ", ec.message());
    std::sort(paths.begin(), paths.end());
  } else if (fs::is_regular_file(dir_or_list, ec)) {
    std::ifstream in(dir_or_list);
    fs::path base = fs::path(dir_or_list).parent_path();
    std::string line;
    while (std::getline(in, line)) {
      line.erase(0, line.find_first_not_of(" \t"));
      if (line.empty() || line[0] == '#') continue;
      std::string first = line.substr(0, line.find_first_of(" \t\r"));  // "path [label]" lines too
      fs::path p(first);
      paths.push_back((p.is_absolute() ? p : base / p).string());
    }
  } else {
    return make_error(StatusCode::kNotFound, "image set '", dir_or_list,
                      "' is neither a directory nor a list file; pass a folder of .jpg/.png images");
  }
  if (paths.empty())
    return make_error(StatusCode::kNotFound, "no .jpg/.jpeg/.png images found in '", dir_or_list, "'");
  if (limit > 0 && paths.size() > limit) paths.resize(limit);
  return paths;
}

}  // namespace qatrt
