// The images of a calibration or evaluation set: a directory (searched recursively for .jpg/.jpeg/.png,
// sorted by path so runs are reproducible) or a text file listing one path per line (relative to the file).
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace qatrt {

StatusOr<std::vector<std::string>> list_images(const std::string& dir_or_list, size_t limit = 0 /* 0 = all */);

}  // namespace qatrt
