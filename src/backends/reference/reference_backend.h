// The naive reference backend: plain scalar loops written straight from the op definitions (ONNX semantics,
// and the fused-op contracts in src/ir/ops.h). It is the oracle every other backend is tested against:
// clarity over speed, int64/double only where the definition needs it, no shortcuts.
#pragma once

#include <memory>

#include "backends/backend.h"

namespace qatrt {

std::unique_ptr<Backend> make_reference_backend();

}  // namespace qatrt
