#include "data/labelled_folder.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace qatrt {

StatusOr<LabelledImages> read_labelled_folder(const std::string& dir, int limit) {
  std::string list = (std::filesystem::path(dir) / "labels.txt").string();
  std::ifstream in(list);
  if (!in) return make_error(StatusCode::kNotFound, "'", list, "' not found: a labelled folder needs DIR/labels.txt with 'path class' lines");
  LabelledImages set;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string path;
    int64_t cls = -1;
    if (!(fields >> path >> cls) || cls < 0)
      return make_error(StatusCode::kInvalidArgument, list, ":", number, ": expected 'relative/path class', got '", line, "'");
    set.paths.push_back((std::filesystem::path(dir) / path).string());
    set.classes.push_back(cls);
    if (limit > 0 && static_cast<int>(set.paths.size()) == limit) break;
  }
  if (set.paths.empty()) return make_error(StatusCode::kNotFound, "'", list, "' lists no images");
  return set;
}

}  // namespace qatrt
