#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <unistd.h>

#include "ir/verifier.h"
#include "plan/byte_io.h"
#include "plan/crc32.h"
#include "plan/graph_codec.h"
#include "plan/host_target.h"
#include "plan/plan_bytes.h"
#include "plan/plan_format.h"
#include "plan/plan_info_json.h"

namespace qatrt {
namespace {

std::string utc_now_iso8601() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace

std::vector<uint8_t> assemble_plan(std::span<const PlanSection> sections) {
  namespace pf = plan_format;
  const auto count = static_cast<uint32_t>(sections.size());
  ByteWriter out;
  for (char c : pf::kMagic) out.u8(static_cast<uint8_t>(c));
  out.u32(pf::kVersion);
  out.u32(static_cast<uint32_t>(pf::kHeaderBytes + count * pf::kSectionEntryBytes));
  out.u64(0);  // file size, patched below
  out.u32(count);
  out.u32(0);  // file CRC, patched last
  const size_t table = out.size();
  for (uint32_t i = 0; i < count * pf::kSectionEntryBytes; ++i) out.u8(0);
  for (uint32_t i = 0; i < count; ++i) {
    out.pad_to(pf::kAlignment);
    const size_t entry = table + i * pf::kSectionEntryBytes;
    out.patch_u32(entry, sections[i].id);
    out.patch_u32(entry + 4, pf::kAlignment);
    out.patch_u64(entry + 8, out.size());
    out.patch_u64(entry + 16, sections[i].bytes.size());
    out.patch_u32(entry + 24, crc32(sections[i].bytes));
    out.raw(sections[i].bytes);
  }
  out.patch_u64(pf::kFileSizeOffset, out.size());
  out.patch_u32(pf::kFileCrcOffset, crc32(out.bytes()));  // computed while the CRC field is still zero
  return std::move(out.bytes());
}

StatusOr<std::vector<uint8_t>> serialize_plan(const Plan& plan) {
  using plan_format::SectionId;
  if (plan.info.target.empty())
    return Status(StatusCode::kInvalidArgument, "plan has no target; set PlanInfo::target (e.g. host_cpu_target())");
  Status verified = verify_graph(plan.graph);
  if (!verified.ok()) return verified.with_context("refusing to write a plan whose graph fails verification");
  PlanInfo info = plan.info;
  if (info.creation_time.empty()) info.creation_time = utc_now_iso8601();
  if (info.target_features.empty() && info.target == host_cpu_target()) info.target_features = host_cpu_features();

  QATRT_ASSIGN_OR_RETURN(EncodedGraph encoded, encode_graph(plan.graph));
  const std::string info_json = encode_plan_info(info, plan.graph);
  const PlanSection sections[] = {
      {static_cast<uint32_t>(SectionId::kInfo), {reinterpret_cast<const uint8_t*>(info_json.data()), info_json.size()}},
      {static_cast<uint32_t>(SectionId::kGraph), encoded.graph},
      {static_cast<uint32_t>(SectionId::kWeights), encoded.weights},
  };
  return assemble_plan(sections);
}

Status write_plan(const Plan& plan, const std::string& path) {
  QATRT_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, serialize_plan(plan));
  // Write beside the target and rename, so a crash or a full disk never leaves a half-written plan at `path`.
  const std::string temp = path + ".tmp" + std::to_string(getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file)
      return make_error(StatusCode::kIoError, "cannot create plan file '", temp, "': ", std::strerror(errno));
    file.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    file.flush();
    if (!file) {
      std::remove(temp.c_str());
      return make_error(StatusCode::kIoError, "cannot write ", bytes.size(), " bytes to '", temp, "'");
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    std::remove(temp.c_str());
    return make_error(StatusCode::kIoError, "cannot rename '", temp, "' to '", path, "': ", std::strerror(error));
  }
  return Status::ok_status();
}

}  // namespace qatrt
