// A labelled image folder, as `qatrt eval` and `qatrt train` read it: DIR/labels.txt with one
// "relative/path class" line per image ('#' lines and blank lines skipped), paths relative to DIR.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"

namespace qatrt {

struct LabelledImages {
  std::vector<std::string> paths;  // DIR/relative/path
  std::vector<int64_t> classes;    // same length, ≥ 0
};

// At most `limit` images (0 = all), in file order. Errors name the file and line.
StatusOr<LabelledImages> read_labelled_folder(const std::string& dir, int limit = 0);

}  // namespace qatrt
