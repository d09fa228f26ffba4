#include "train/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "plan/crc32.h"

namespace qatrt {
namespace {

constexpr char kMagic[8] = {'Q', 'A', 'T', 'R', 'T', 'C', 'K', 'P'};
constexpr uint32_t kVersion = 1;

template <typename T>
void append_scalar(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
T read_scalar(const std::string& bytes, size_t offset) {
  T value;
  std::memcpy(&value, bytes.data() + offset, sizeof(T));
  return value;
}

std::span<const uint8_t> as_bytes(const std::string& s, size_t size) {
  return {reinterpret_cast<const uint8_t*>(s.data()), size};
}

// write(2) until done, then fsync: the rename must only ever publish complete, durable bytes.
Status write_durably(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return make_error(StatusCode::kIoError, "cannot create '", path, "'");
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return make_error(StatusCode::kIoError, "writing '", path, "' failed after ", done, " of ", bytes.size(), " bytes (disk full?)");
    }
    done += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  if (::close(fd) != 0 || !synced) return make_error(StatusCode::kIoError, "cannot flush '", path, "' to disk");
  return Status::ok_status();
}

}  // namespace

Status write_checkpoint(const Checkpoint& checkpoint, const std::string& path) {
  nlohmann::json header = {{"state", checkpoint.state}, {"tensors", nlohmann::json::array()}};
  uint64_t offset = 0;
  for (const auto& [name, tensor] : checkpoint.tensors) {
    header["tensors"].push_back({{"name", name}, {"dtype", static_cast<int>(tensor.dtype())}, {"shape", tensor.shape()},
                                 {"offset", offset}, {"bytes", tensor.nbytes()}});
    offset += tensor.nbytes();
  }
  const std::string text = header.dump();
  std::string bytes;
  bytes.reserve(sizeof(kMagic) + 16 + text.size() + offset + 4);
  bytes.append(kMagic, sizeof(kMagic));
  append_scalar<uint32_t>(bytes, kVersion);
  append_scalar<uint64_t>(bytes, text.size());
  bytes += text;
  for (const auto& [name, tensor] : checkpoint.tensors)
    bytes.append(static_cast<const char*>(tensor.raw()), tensor.nbytes());
  append_scalar<uint32_t>(bytes, crc32(as_bytes(bytes, bytes.size())));

  const std::filesystem::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
  }
  const std::string temporary = path + ".tmp";
  QATRT_RETURN_IF_ERROR(write_durably(temporary, bytes));
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    return make_error(StatusCode::kIoError, "cannot rename '", temporary, "' to '", path, "'");
  return Status::ok_status();
}

StatusOr<Checkpoint> read_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(StatusCode::kNotFound, "checkpoint '", path, "' not found");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto corrupt = [&](const std::string& why) {
    return make_error(StatusCode::kCorrupt, "checkpoint '", path, "' is corrupt (", why, "); resume from another checkpoint or restart");
  };
  const size_t fixed = sizeof(kMagic) + 4 + 8;
  if (bytes.size() < fixed + 4 || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    return corrupt("not a qatrt checkpoint or truncated header");
  const uint32_t stored_crc = read_scalar<uint32_t>(bytes, bytes.size() - 4);
  if (crc32(as_bytes(bytes, bytes.size() - 4)) != stored_crc) return corrupt("CRC mismatch: truncated or damaged");
  const uint32_t version = read_scalar<uint32_t>(bytes, sizeof(kMagic));
  if (version != kVersion)
    return make_error(StatusCode::kUnsupported, "checkpoint '", path, "' has format version ", version, "; this qatrt reads ", kVersion);
  const uint64_t header_size = read_scalar<uint64_t>(bytes, sizeof(kMagic) + 4);
  if (header_size > bytes.size() - fixed - 4) return corrupt("header size out of range");
  nlohmann::json header = nlohmann::json::parse(bytes.begin() + fixed, bytes.begin() + fixed + static_cast<ptrdiff_t>(header_size), nullptr, false);
  if (header.is_discarded() || !header.contains("state") || !header.contains("tensors")) return corrupt("unreadable header");
  const size_t data_begin = fixed + header_size, data_size = bytes.size() - 4 - data_begin;
  Checkpoint checkpoint;
  checkpoint.state = header["state"];
  for (const nlohmann::json& entry : header["tensors"]) {
    const auto dtype = static_cast<DType>(entry.at("dtype").get<int>());
    Tensor tensor(dtype, entry.at("shape").get<Shape>());
    const uint64_t offset = entry.at("offset").get<uint64_t>(), size = entry.at("bytes").get<uint64_t>();
    if (size != tensor.nbytes() || offset > data_size || size > data_size - offset)
      return corrupt("tensor '" + entry.at("name").get<std::string>() + "' out of range");
    std::memcpy(tensor.raw(), bytes.data() + data_begin + offset, size);
    checkpoint.tensors.emplace(entry.at("name").get<std::string>(), std::move(tensor));
  }
  return checkpoint;
}

}  // namespace qatrt
