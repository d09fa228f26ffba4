#include "core/quant.h"

namespace qatrt {

bool QuantParams::symmetric() const {
  for (int64_t z : zero_points)
    if (z != 0) return false;
  return true;
}

}  // namespace qatrt
