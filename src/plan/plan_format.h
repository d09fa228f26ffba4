// The plan file layout (full description with field tables: docs/plan-format.md). All integers little-endian.
//
//   offset 0   header (32 bytes)
//                magic "QATRTPLN" (8) | format version u32 | header size u32 | file size u64 |
//                section count u32 | file CRC-32 u32 (of the whole file with these 4 bytes read as zero)
//   offset 32  section table, one 32-byte entry per section:
//                id u32 | alignment u32 | offset u64 | size u64 | CRC-32 of the section's bytes u32 | 0 u32
//   then the sections, each starting at a multiple of its alignment (64), zero padding between them:
//     info    (id 1) UTF-8 JSON: target, precision mode, source model, builder version, creation time,
//                    host CPU features, layer summary
//     graph   (id 2) binary graph: values, graph inputs/outputs, nodes (ops, dtypes and precisions by name)
//     weights (id 3) the bytes of every constant tensor, each at a 64-byte aligned offset
//
// Bump kPlanFormatVersion on any change a reader of the previous version would misread; the reader refuses
// other versions with both numbers in the message.
#pragma once

#include <cstdint>
#include <string_view>

namespace qatrt::plan_format {

inline constexpr std::string_view kMagic = "QATRTPLN";
inline constexpr uint32_t kVersion = 1;
inline constexpr size_t kHeaderBytes = 32;
inline constexpr size_t kSectionEntryBytes = 32;
inline constexpr uint32_t kAlignment = 64;
// A reader refuses more sections than this (a corrupted count must not drive the parse).
inline constexpr uint32_t kMaxSections = 64;

// Byte offsets of header fields.
inline constexpr size_t kVersionOffset = 8;
inline constexpr size_t kHeaderSizeOffset = 12;
inline constexpr size_t kFileSizeOffset = 16;
inline constexpr size_t kSectionCountOffset = 24;
inline constexpr size_t kFileCrcOffset = 28;

enum class SectionId : uint32_t { kInfo = 1, kGraph = 2, kWeights = 3 };

inline std::string_view section_name(uint32_t id) {
  switch (static_cast<SectionId>(id)) {
    case SectionId::kInfo: return "info";
    case SectionId::kGraph: return "graph";
    case SectionId::kWeights: return "weights";
  }
  return "unknown";
}

}  // namespace qatrt::plan_format
