// Training checkpoints: named tensors (weights, BN statistics, quantizer ranges, optimizer buffers) and a
// JSON state (step, epoch, seed, running metrics), in one file:
//   "QATRTCKP" | u32 version | u64 header bytes | header JSON | tensor bytes … | u32 CRC-32 of all before
// (little-endian). The header lists each tensor's name, dtype, shape and byte offset in the data.
// write_checkpoint writes `path`.tmp, flushes it to disk, then renames it over `path`: rename is atomic, so
// a process killed at any moment leaves either the previous checkpoint or the new one, never a mix; a
// truncated or corrupted file is refused by read_checkpoint (CRC, sizes) rather than half loaded.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "core/status.h"
#include "core/tensor.h"

namespace qatrt {

struct Checkpoint {
  nlohmann::json state = nlohmann::json::object();
  std::map<std::string, Tensor> tensors;
};

Status write_checkpoint(const Checkpoint& checkpoint, const std::string& path);
StatusOr<Checkpoint> read_checkpoint(const std::string& path);

}  // namespace qatrt
