#include "plan/byte_io.h"

#include <bit>
#include <cstring>

namespace qatrt {

void ByteWriter::u32(uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::u64(uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::f32(float v) { u32(std::bit_cast<uint32_t>(v)); }

void ByteWriter::string(const std::string& s) {
  u32(static_cast<uint32_t>(s.size()));
  raw({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
}

void ByteWriter::pad_to(size_t alignment) {
  while (bytes_.size() % alignment != 0) bytes_.push_back(0);
}

void ByteWriter::patch_u32(size_t offset, uint32_t v) {
  for (int i = 0; i < 4; ++i) bytes_[offset + i] = static_cast<uint8_t>(v >> (8 * i));
}

void ByteWriter::patch_u64(size_t offset, uint64_t v) {
  for (int i = 0; i < 8; ++i) bytes_[offset + i] = static_cast<uint8_t>(v >> (8 * i));
}

bool ByteReader::take(size_t n, const char* field, const uint8_t*& out) {
  if (!ok()) return false;
  if (n > remaining()) {
    status_ = make_error(StatusCode::kCorrupt, where_, ": truncated at byte ", offset_, " reading ", field,
                         " (needs ", n, " bytes, ", remaining(), " left)");
    return false;
  }
  out = bytes_.data() + offset_;
  offset_ += n;
  return true;
}

bool ByteReader::u8(uint8_t& v, const char* field) {
  const uint8_t* p = nullptr;
  if (!take(1, field, p)) return false;
  v = *p;
  return true;
}

bool ByteReader::u32(uint32_t& v, const char* field) {
  const uint8_t* p = nullptr;
  if (!take(4, field, p)) return false;
  v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return true;
}

bool ByteReader::u64(uint64_t& v, const char* field) {
  const uint8_t* p = nullptr;
  if (!take(8, field, p)) return false;
  v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return true;
}

bool ByteReader::i32(int32_t& v, const char* field) {
  uint32_t u = 0;
  if (!u32(u, field)) return false;
  v = static_cast<int32_t>(u);
  return true;
}

bool ByteReader::i64(int64_t& v, const char* field) {
  uint64_t u = 0;
  if (!u64(u, field)) return false;
  v = static_cast<int64_t>(u);
  return true;
}

bool ByteReader::f32(float& v, const char* field) {
  uint32_t u = 0;
  if (!u32(u, field)) return false;
  v = std::bit_cast<float>(u);
  return true;
}

bool ByteReader::string(std::string& s, const char* field) {
  uint32_t n = 0;
  if (!u32(n, field)) return false;
  const uint8_t* p = nullptr;
  if (!take(n, field, p)) return false;
  s.assign(reinterpret_cast<const char*>(p), n);
  return true;
}

bool ByteReader::count(uint32_t& n, size_t min_item_bytes, const char* field) {
  size_t at = offset_;
  if (!u32(n, field)) return false;
  if (static_cast<uint64_t>(n) * min_item_bytes > remaining()) {
    status_ = make_error(StatusCode::kCorrupt, where_, ": ", field, " at byte ", at, " is ", n,
                         ", more than the ", remaining(), " bytes left can hold");
    return false;
  }
  return true;
}

bool ByteReader::fail(const std::string& message) {
  if (ok()) status_ = make_error(StatusCode::kCorrupt, where_, " at byte ", offset_, ": ", message);
  return false;
}

}  // namespace qatrt
