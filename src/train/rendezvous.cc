#include "train/rendezvous.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace qatrt {

StatusOr<std::optional<TcpRendezvous>> parse_rendezvous(const std::string& rendezvous) {
  const std::string scheme = "tcp://";
  if (rendezvous.rfind(scheme, 0) != 0) return std::optional<TcpRendezvous>();
  const std::string address = rendezvous.substr(scheme.size());
  const size_t colon = address.rfind(':');
  const int port = colon == std::string::npos ? -1 : std::atoi(address.c_str() + colon + 1);
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535)
    return make_error(StatusCode::kInvalidArgument, "--rendezvous '", rendezvous,
                      "': expected tcp://HOST:PORT (rank 0 serves the store on HOST:PORT)");
  return std::optional<TcpRendezvous>(TcpRendezvous{address.substr(0, colon), static_cast<uint16_t>(port)});
}

Status check_rendezvous(const std::string& rendezvous) {
  QATRT_ASSIGN_OR_RETURN(std::optional<TcpRendezvous> tcp, parse_rendezvous(rendezvous));
  if (tcp) return Status::ok_status();
  std::error_code ec;
  if (!std::filesystem::is_directory(rendezvous, ec))
    return make_error(StatusCode::kNotFound, "--rendezvous '", rendezvous,
                      "' is not a directory; give a directory every rank can write, or tcp://HOST:PORT");
  if (access(rendezvous.c_str(), W_OK | X_OK) != 0)
    return make_error(StatusCode::kIoError, "--rendezvous '", rendezvous, "' is not writable (", std::strerror(errno),
                      "); the ranks meet through a file there");
  return Status::ok_status();
}

}  // namespace qatrt
