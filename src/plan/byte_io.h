// Little-endian binary encoding for the plan's sections. ByteWriter appends; ByteReader reads with a bounds
// check on every access and keeps the first error (sticky), so a decoder can read a whole record and test
// ok() once. Every error names the section, the field and the byte offset. Lengths and counts are checked
// against the bytes left before anything is allocated, so a corrupted count cannot trigger a huge allocation.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/status.h"

namespace qatrt {

class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void i64(int64_t v) { u64(static_cast<uint64_t>(v)); }
  void f32(float v);
  void string(const std::string& s);  // u32 length + bytes
  void raw(std::span<const uint8_t> data) { bytes_.insert(bytes_.end(), data.begin(), data.end()); }
  void pad_to(size_t alignment);      // zero bytes up to the next multiple of alignment
  // Overwrites 4 bytes at an earlier offset (for fields known only at the end, like checksums).
  void patch_u32(size_t offset, uint32_t v);
  void patch_u64(size_t offset, uint64_t v);

  size_t size() const { return bytes_.size(); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class ByteReader {
 public:
  // `where` names the bytes in errors, e.g. "graph section".
  ByteReader(std::span<const uint8_t> bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}

  // Each returns false (and records the error) when the field does not fit, or an earlier read failed.
  bool u8(uint8_t& v, const char* field);
  bool u32(uint32_t& v, const char* field);
  bool u64(uint64_t& v, const char* field);
  bool i32(int32_t& v, const char* field);
  bool i64(int64_t& v, const char* field);
  bool f32(float& v, const char* field);
  bool string(std::string& s, const char* field);
  // A u32 element count, refused if count * min_item_bytes exceeds the bytes left.
  bool count(uint32_t& n, size_t min_item_bytes, const char* field);

  // Records a semantic error (a bad enum name, an id out of range) at the current offset.
  bool fail(const std::string& message);

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  size_t offset() const { return offset_; }
  size_t remaining() const { return bytes_.size() - offset_; }

 private:
  bool take(size_t n, const char* field, const uint8_t*& out);

  std::span<const uint8_t> bytes_;
  std::string where_;
  size_t offset_ = 0;
  Status status_;
};

}  // namespace qatrt
