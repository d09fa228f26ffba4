// read_plan: every check a corrupted, truncated, foreign or stale file can fail, in the order that gives the
// most useful message (a wrong magic or version is reported as such, not as a checksum mismatch).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "ir/verifier.h"
#include "plan/byte_io.h"
#include "plan/crc32.h"
#include "plan/graph_codec.h"
#include "plan/plan_bytes.h"
#include "plan/plan_format.h"
#include "plan/plan_info_json.h"

namespace qatrt {
namespace {

namespace pf = plan_format;

std::string printable(std::span<const uint8_t> bytes) {
  std::string out;
  for (uint8_t b : bytes) {
    if (b >= 0x20 && b < 0x7F && b != '\\') {
      out += static_cast<char>(b);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", b);
      out += hex;
    }
  }
  return out;
}

std::string hex32(uint32_t v) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", v);
  return text;
}

struct SectionEntry {
  uint32_t id = 0, alignment = 0, crc = 0, reserved = 0;
  uint64_t offset = 0, size = 0;
};

// Checks the container (header, table, checksums); returns each section's bytes by id.
StatusOr<std::map<uint32_t, std::span<const uint8_t>>> read_container(std::span<const uint8_t> bytes) {
  const auto magic = std::span(reinterpret_cast<const uint8_t*>(pf::kMagic.data()), pf::kMagic.size());
  const size_t magic_len = std::min(bytes.size(), magic.size());
  if (bytes.empty()) return Status(StatusCode::kCorrupt, "file is empty, not a qatrt plan");
  if (!std::equal(bytes.begin(), bytes.begin() + magic_len, magic.begin()))
    return make_error(StatusCode::kCorrupt, "not a qatrt plan: expected magic '", pf::kMagic, "', found '",
                      printable(bytes.first(magic_len)), "'");
  if (bytes.size() < pf::kHeaderBytes)
    return make_error(StatusCode::kCorrupt, "truncated: file is ", bytes.size(), " bytes, shorter than the ",
                      pf::kHeaderBytes, "-byte header");

  ByteReader header(bytes, "plan header");
  uint8_t skip = 0;
  for (size_t i = 0; i < pf::kMagic.size(); ++i) header.u8(skip, "magic");
  uint32_t version = 0, header_size = 0, count = 0, file_crc = 0;
  uint64_t file_size = 0;
  header.u32(version, "format version");
  header.u32(header_size, "header size");
  header.u64(file_size, "file size");
  header.u32(count, "section count");
  header.u32(file_crc, "file checksum");
  if (version != pf::kVersion)
    return make_error(StatusCode::kUnsupported, "plan format version: expected ", pf::kVersion, ", found ", version,
                      "; rebuild the plan with this qatrt (`qatrt build`)");
  if (file_size != bytes.size())
    return make_error(StatusCode::kCorrupt,
                      bytes.size() < file_size ? "truncated: header records " : "size mismatch: header records ",
                      file_size, " bytes, file has ", bytes.size());
  if (count == 0 || count > pf::kMaxSections)
    return make_error(StatusCode::kCorrupt, "section count ", count, " is outside [1, ", pf::kMaxSections, "]");
  if (header_size != pf::kHeaderBytes + count * pf::kSectionEntryBytes)
    return make_error(StatusCode::kCorrupt, "header size: expected ", pf::kHeaderBytes + count * pf::kSectionEntryBytes,
                      " for ", count, " sections, found ", header_size);
  if (header_size > bytes.size())
    return make_error(StatusCode::kCorrupt, "truncated: the section table ends at byte ", header_size, ", file has ",
                      bytes.size());

  std::map<uint32_t, std::span<const uint8_t>> sections;
  for (uint32_t i = 0; i < count; ++i) {
    SectionEntry e;
    header.u32(e.id, "section id");
    header.u32(e.alignment, "section alignment");
    header.u64(e.offset, "section offset");
    header.u64(e.size, "section size");
    header.u32(e.crc, "section checksum");
    header.u32(e.reserved, "section reserved field");
    if (!header.ok()) return header.status();
    const std::string name = "section " + std::to_string(i) + " ('" + std::string(pf::section_name(e.id)) + "', id " +
                             std::to_string(e.id) + ")";
    if (e.alignment != pf::kAlignment || e.offset % pf::kAlignment != 0)
      return make_error(StatusCode::kCorrupt, name, ": alignment ", e.alignment, " / offset ", e.offset,
                        " (expected alignment ", pf::kAlignment, " and an offset that is a multiple of it)");
    if (e.offset < header_size || e.offset > bytes.size() || e.size > bytes.size() - e.offset)
      return make_error(StatusCode::kCorrupt, name, ": bytes [", e.offset, ", ", e.offset, "+", e.size,
                        ") lie outside the file's data area [", header_size, ", ", bytes.size(), ")");
    if (e.reserved != 0) return make_error(StatusCode::kCorrupt, name, ": reserved field is ", e.reserved, ", expected 0");
    auto data = bytes.subspan(e.offset, e.size);
    const uint32_t found = crc32(data);
    if (found != e.crc)
      return make_error(StatusCode::kCorrupt, name, " checksum: expected ", hex32(e.crc), ", found ", hex32(found),
                        "; the plan file is corrupted, rebuild it");
    if (!sections.emplace(e.id, data).second) return make_error(StatusCode::kCorrupt, name, " appears twice");
  }

  // The whole-file CRC covers what the section CRCs do not: the header, the table and the padding.
  std::vector<uint8_t> zeroed(bytes.begin(), bytes.begin() + pf::kFileCrcOffset + 4);
  std::fill(zeroed.begin() + pf::kFileCrcOffset, zeroed.end(), 0);
  const uint32_t found = crc32_update(crc32(zeroed), bytes.subspan(pf::kFileCrcOffset + 4));
  if (found != file_crc)
    return make_error(StatusCode::kCorrupt, "file checksum: expected ", hex32(file_crc), ", found ", hex32(found),
                      "; the plan file is corrupted (header or padding), rebuild it");

  for (auto id : {pf::SectionId::kInfo, pf::SectionId::kGraph, pf::SectionId::kWeights})
    if (!sections.count(static_cast<uint32_t>(id)))
      return make_error(StatusCode::kCorrupt, "required section '", pf::section_name(static_cast<uint32_t>(id)),
                        "' is missing");
  return sections;
}

StatusOr<Plan> parse_unprefixed(std::span<const uint8_t> bytes, const std::string& expected_target) {
  QATRT_ASSIGN_OR_RETURN(auto sections, read_container(bytes));
  Plan plan;
  QATRT_ASSIGN_OR_RETURN(plan.info, decode_plan_info(sections.at(static_cast<uint32_t>(pf::SectionId::kInfo))));
  if (!expected_target.empty() && plan.info.target != expected_target)
    return make_error(StatusCode::kUnsupported, "built for target '", plan.info.target, "', but this runtime is '",
                      expected_target, "'; rebuild the plan for '", expected_target, "'");
  QATRT_ASSIGN_OR_RETURN(plan.graph, decode_graph(sections.at(static_cast<uint32_t>(pf::SectionId::kGraph)),
                                                  sections.at(static_cast<uint32_t>(pf::SectionId::kWeights))));
  Status verified = verify_graph(plan.graph);
  if (!verified.ok()) return verified.with_context("graph fails verification");
  return plan;
}

}  // namespace

StatusOr<Plan> parse_plan(std::span<const uint8_t> bytes, const std::string& origin,
                          const std::string& expected_target) {
  auto plan = parse_unprefixed(bytes, expected_target);
  if (!plan.ok()) return plan.status().with_context("plan '" + origin + "'");
  return plan;
}

StatusOr<Plan> read_plan(const std::string& path, const std::string& expected_target) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return make_error(StatusCode::kNotFound, "plan file '", path, "' not found");
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(StatusCode::kInvalidArgument, "plan '", path, "' is not a regular file");
  std::ifstream file(path, std::ios::binary);
  if (!file) return make_error(StatusCode::kIoError, "cannot open plan '", path, "': ", std::strerror(errno));
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) return make_error(StatusCode::kIoError, "cannot read plan '", path, "'");
  return parse_plan(bytes, path, expected_target);
}

}  // namespace qatrt
