#include "core/shape.h"

namespace qatrt {

int64_t shape_numel(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return -1;
    n *= d;
  }
  return n;
}

bool shape_is_static(const Shape& shape) { return shape_numel(shape) >= 0; }

std::string shape_to_string(const Shape& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ",";
    out += shape[i] < 0 ? std::string("N") : std::to_string(shape[i]);
  }
  return out + "]";
}

}  // namespace qatrt
