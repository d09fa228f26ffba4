// Engine::create with a caller-supplied preferred backend instead of one named in EngineOptions: for tests
// (a fake NHWC backend exercising the layout reorders) and for trying a backend before it has a name. The
// reference backend stays the fallback for every node the given backend does not support.
#pragma once

#include <memory>

#include "backends/backend.h"
#include "runtime/engine.h"

namespace qatrt {

StatusOr<std::unique_ptr<Engine>> create_engine_with_backend(Graph graph, std::shared_ptr<Backend> preferred);

}  // namespace qatrt
