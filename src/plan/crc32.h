// CRC-32 (IEEE 802.3 polynomial, reflected, init and final xor 0xFFFFFFFF): the checksum zlib, PNG and gzip
// use, so a plan's checksums can be checked with any standard tool (python: zlib.crc32).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace qatrt {

// Continues a running CRC: crc32_update(crc32_update(0, a), b) == crc32 of a followed by b.
uint32_t crc32_update(uint32_t crc, std::span<const uint8_t> bytes);
inline uint32_t crc32(std::span<const uint8_t> bytes) { return crc32_update(0, bytes); }

}  // namespace qatrt
