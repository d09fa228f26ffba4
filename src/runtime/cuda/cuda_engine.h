// Engine for EngineOptions.backend = "cuda" (Engine::create dispatches here when qatrt is built with CUDA):
// the whole plan on one GPU through CUDA execution contexts (cuda_execution_context.h). Fails at creation when
// no device is visible or when any node cannot run on the GPU (all of them are listed, with reasons).
#pragma once

#include <memory>

#include "core/status.h"
#include "ir/graph.h"
#include "runtime/engine.h"

namespace qatrt::cuda {

StatusOr<std::unique_ptr<Engine>> make_cuda_engine(Graph graph);

}  // namespace qatrt::cuda
