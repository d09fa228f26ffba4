// Where data-parallel ranks meet (--rendezvous): "tcp://HOST:PORT" (a TCPStore that rank 0 serves on
// HOST:PORT, for several hosts) or a directory every rank can write (a store file in it). One parser and one
// check, used by the CLI before anything starts and by the ranks when they join (data_parallel_group.cc).
// libtorch-free, so the CLI includes it without libtorch's headers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/status.h"

namespace qatrt {

struct TcpRendezvous {
  std::string host;
  uint16_t port = 0;
};

// The host and port of a "tcp://..." rendezvous (an error when malformed), or nullopt for a directory.
StatusOr<std::optional<TcpRendezvous>> parse_rendezvous(const std::string& rendezvous);

// A well-formed tcp://HOST:PORT, or an existing directory this process can write.
Status check_rendezvous(const std::string& rendezvous);

}  // namespace qatrt
