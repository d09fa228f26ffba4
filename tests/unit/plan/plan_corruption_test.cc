// A damaged plan — a bit flipped anywhere, cut short anywhere, a foreign magic or version, malformed sections
// wrapped in valid checksums — is a clear Status naming what is wrong, never a crash or a silently
// different graph.
#include <map>
#include <random>

#include "plan/crc32.h"
#include "plan/graph_codec.h"
#include "plan/plan_bytes.h"
#include "plan/plan_format.h"
#include "plan/plan_info_json.h"
#include "plan_test_util.h"

namespace qatrt {
namespace {

namespace pf = plan_format;

uint32_t load_u32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | b[at + 1] << 8 | b[at + 2] << 16 | static_cast<uint32_t>(b[at + 3]) << 24;
}
uint64_t load_u64(const std::vector<uint8_t>& b, size_t at) {
  return load_u32(b, at) | static_cast<uint64_t>(load_u32(b, at + 4)) << 32;
}
void store_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Makes the whole-file CRC match again, so a test can damage one header field and nothing else.
void refresh_file_crc(std::vector<uint8_t>& b) {
  store_u32(b, pf::kFileCrcOffset, 0);
  store_u32(b, pf::kFileCrcOffset, crc32(b));
}

PlanInfo test_info() {
  return {.target = "cpu-x86_64", .precision_mode = "int8", .source_model = "tiny.onnx", .builder_version = "0.1.0",
          .creation_time = "2001-02-03T04:05:06Z"};
}

std::vector<uint8_t> valid_plan_bytes() {
  Plan plan{test_info(), plan_test::quantized_classifier()};
  auto bytes = serialize_plan(plan);
  EXPECT_TRUE(bytes.ok()) << bytes.status().to_string();
  return *bytes;
}

// Which part of the file a byte offset belongs to, read from the file's own section table.
std::string region_of(const std::vector<uint8_t>& b, size_t offset) {
  if (offset < pf::kHeaderBytes) return "header";
  const uint32_t count = load_u32(b, pf::kSectionCountOffset);
  if (offset < pf::kHeaderBytes + count * pf::kSectionEntryBytes) return "section table";
  for (uint32_t i = 0; i < count; ++i) {
    const size_t entry = pf::kHeaderBytes + i * pf::kSectionEntryBytes;
    const uint64_t start = load_u64(b, entry + 8), size = load_u64(b, entry + 16);
    if (offset >= start && offset < start + size) return std::string(pf::section_name(load_u32(b, entry)));
  }
  return "padding";
}

TEST(PlanCorruption, ValidPlanParses) {
  auto plan = parse_plan(valid_plan_bytes(), "mem.plan", "cpu-x86_64");
  ASSERT_TRUE(plan.ok()) << plan.status().to_string();
  EXPECT_TRUE(plan_test::graphs_equal(plan_test::quantized_classifier(), plan->graph));
}

TEST(PlanCorruption, SingleBitFlipAtEveryOffsetIsAnError) {
  const std::vector<uint8_t> clean = valid_plan_bytes();
  std::map<std::string, int> flipped_per_region;
  for (size_t offset = 0; offset < clean.size(); ++offset) {
    std::vector<uint8_t> bytes = clean;
    const int bit = static_cast<int>(offset % 8);
    bytes[offset] ^= static_cast<uint8_t>(1u << bit);
    const std::string region = region_of(clean, offset);
    ++flipped_per_region[region];
    auto plan = parse_plan(bytes, "mem.plan", "cpu-x86_64");
    ASSERT_FALSE(plan.ok()) << "bit " << bit << " of byte " << offset << " (" << region << ") flipped, plan accepted";
    const std::string message = plan.status().message();
    EXPECT_EQ(message.rfind("plan 'mem.plan': ", 0), 0u) << message;
    if (region == "info" || region == "graph" || region == "weights") {
      EXPECT_NE(message.find("section"), std::string::npos) << "byte " << offset << " (" << region << "): " << message;
    }
  }
  for (const char* region : {"header", "section table", "info", "graph", "weights", "padding"})
    EXPECT_GT(flipped_per_region[region], 0) << region << " never exercised";
}

TEST(PlanCorruption, FlipInASectionNamesThatSectionsChecksum) {
  const std::vector<uint8_t> clean = valid_plan_bytes();
  for (uint32_t i = 0; i < 3; ++i) {
    const size_t entry = pf::kHeaderBytes + i * pf::kSectionEntryBytes;
    const std::string name(pf::section_name(load_u32(clean, entry)));
    std::vector<uint8_t> bytes = clean;
    bytes[load_u64(clean, entry + 8) + load_u64(clean, entry + 16) / 2] ^= 0x10;
    auto plan = parse_plan(bytes, "mem.plan", "");
    ASSERT_FALSE(plan.ok()) << name;
    EXPECT_NE(plan.status().message().find("'" + name + "'"), std::string::npos) << plan.status().to_string();
    EXPECT_NE(plan.status().message().find("checksum: expected 0x"), std::string::npos) << plan.status().to_string();
  }
}

TEST(PlanCorruption, TruncationAtEveryLengthIsAnError) {
  const std::vector<uint8_t> clean = valid_plan_bytes();
  for (size_t length = 0; length < clean.size(); ++length) {
    auto plan = parse_plan(std::span(clean).first(length), "mem.plan", "");
    ASSERT_FALSE(plan.ok()) << "truncated to " << length << " of " << clean.size() << " bytes, plan accepted";
    const std::string message = plan.status().message();
    if (length == 0)
      EXPECT_NE(message.find("empty"), std::string::npos) << message;
    else
      EXPECT_NE(message.find("truncated"), std::string::npos) << "length " << length << ": " << message;
  }
}

TEST(PlanCorruption, TrailingBytesAreAnError) {
  std::vector<uint8_t> bytes = valid_plan_bytes();
  bytes.push_back(0);
  auto plan = parse_plan(bytes, "mem.plan", "");
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("size mismatch"), std::string::npos) << plan.status().to_string();
}

TEST(PlanCorruption, WrongMagicNamesExpectedAndFound) {
  std::vector<uint8_t> bytes = valid_plan_bytes();
  const std::string gguf("GGUF\x03\x00\x00\x00", 8);
  std::copy(gguf.begin(), gguf.end(), bytes.begin());
  auto plan = parse_plan(bytes, "model.gguf", "");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().message(),
            "plan 'model.gguf': not a qatrt plan: expected magic 'QATRTPLN', found 'GGUF\\x03\\x00\\x00\\x00'");
}

TEST(PlanCorruption, OtherFormatVersionIsUnsupportedNamingBoth) {
  std::vector<uint8_t> bytes = valid_plan_bytes();
  store_u32(bytes, pf::kVersionOffset, pf::kVersion + 1);
  refresh_file_crc(bytes);
  auto plan = parse_plan(bytes, "old.plan", "");
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(plan.status().message().find("version: expected " + std::to_string(pf::kVersion) + ", found " +
                                         std::to_string(pf::kVersion + 1)),
            std::string::npos)
      << plan.status().to_string();
}

TEST(PlanCorruption, HeaderFieldDamageWithValidChecksumIsStillCaught) {
  const std::vector<uint8_t> clean = valid_plan_bytes();
  struct Case {
    const char* what;
    size_t offset;
    uint32_t value;
    const char* expected;
  };
  const size_t entry1 = pf::kHeaderBytes + pf::kSectionEntryBytes;  // the graph section's entry
  const Case cases[] = {
      {"section count 0", pf::kSectionCountOffset, 0, "section count 0"},
      {"section count huge", pf::kSectionCountOffset, 0xFFFFFFFF, "section count"},
      {"header size", pf::kHeaderSizeOffset, 64, "header size: expected 128"},
      {"alignment", entry1 + 4, 32, "alignment 32"},
      {"offset outside", entry1 + 8, 0xFFFFFFC0, "outside"},
      {"offset into header", entry1 + 8, 0, "outside"},
      {"size outside", entry1 + 16, 0x7FFFFFFF, "outside"},
      {"reserved", entry1 + 28, 1, "reserved"},
      {"duplicate id", entry1, 1, "twice"},
      {"unknown id leaves graph missing", entry1, 99, "required section 'graph' is missing"},
  };
  for (const Case& c : cases) {
    std::vector<uint8_t> bytes = clean;
    store_u32(bytes, c.offset, c.value);
    refresh_file_crc(bytes);
    auto plan = parse_plan(bytes, "mem.plan", "");
    ASSERT_FALSE(plan.ok()) << c.what;
    EXPECT_NE(plan.status().message().find(c.expected), std::string::npos) << c.what << ": " << plan.status().to_string();
  }
}

// Sections that pass their checksums but hold nonsense: the content checks must catch them.
class MalformedSection : public testing::Test {
 protected:
  void SetUp() override {
    auto encoded = encode_graph(plan_test::quantized_classifier());
    ASSERT_TRUE(encoded.ok());
    graph_ = encoded->graph;
    weights_ = encoded->weights;
    info_ = encode_plan_info(test_info(), plan_test::quantized_classifier());
  }
  StatusOr<Plan> parse(const std::string& info, const std::vector<uint8_t>& graph) {
    const PlanSection sections[] = {{1, {reinterpret_cast<const uint8_t*>(info.data()), info.size()}},
                                    {2, graph},
                                    {3, weights_}};
    return parse_plan(assemble_plan(sections), "mem.plan", "cpu-x86_64");
  }
  std::vector<uint8_t> graph_, weights_;
  std::string info_;
};

TEST_F(MalformedSection, AssembledValidSectionsParse) {
  auto plan = parse(info_, graph_);
  EXPECT_TRUE(plan.ok()) << plan.status().to_string();
}

TEST_F(MalformedSection, InfoThatIsNotJson) {
  auto plan = parse("{\"target\": ", graph_);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("info section is not a JSON object"), std::string::npos)
      << plan.status().to_string();
}

TEST_F(MalformedSection, InfoWithoutTargetOrWithWrongType) {
  auto plan = parse(R"({"precision_mode": "int8", "source_model": "m", "builder_version": "1"})", graph_);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("no 'target' field"), std::string::npos) << plan.status().to_string();
  plan = parse(R"({"target": 5, "precision_mode": "int8", "source_model": "m", "builder_version": "1"})", graph_);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("'target' is not a string"), std::string::npos) << plan.status().to_string();
}

TEST_F(MalformedSection, UnknownOpNameIsNamed) {
  // Rename "Softmax" to "Softmix" in place (same length): decodes up to the op lookup.
  std::string text(graph_.begin(), graph_.end());
  const size_t at = text.find("Softmax");
  ASSERT_NE(at, std::string::npos);
  graph_[at + 5] = 'i';
  auto plan = parse(info_, graph_);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("unknown op 'Softmix'"), std::string::npos) << plan.status().to_string();
}

TEST_F(MalformedSection, GraphThatFailsTheVerifierIsRefused) {
  Graph g = plan_test::quantized_classifier();
  g.nodes[1].inputs.clear();  // QConv without operands: decodes fine, verifies badly
  auto encoded = encode_graph(g);
  ASSERT_TRUE(encoded.ok());
  weights_ = encoded->weights;
  auto plan = parse(info_, encoded->graph);
  ASSERT_FALSE(plan.ok());
  EXPECT_NE(plan.status().message().find("graph fails verification"), std::string::npos) << plan.status().to_string();
  EXPECT_NE(plan.status().message().find("conv1"), std::string::npos) << plan.status().to_string();
}

TEST_F(MalformedSection, EveryTruncatedGraphSectionIsAnError) {
  for (size_t length = 0; length < graph_.size(); ++length) {
    auto plan = parse(info_, std::vector<uint8_t>(graph_.begin(), graph_.begin() + length));
    ASSERT_FALSE(plan.ok()) << "graph section cut to " << length << " bytes accepted";
    EXPECT_NE(plan.status().message().find("graph section"), std::string::npos) << plan.status().to_string();
  }
}

// Damage that survives the checksums (a bug in a writer, a deliberately crafted file) reaches the decoder and
// the verifier: every outcome must be a clean error or a graph that verifies, never a crash.
TEST_F(MalformedSection, RandomGraphDamageBehindValidChecksumsNeverCrashes) {
  std::mt19937 rng(99);
  int refused = 0;
  const int trials = 2000;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<uint8_t> graph = graph_;
    for (int f = 0; f < 1 + trial % 3; ++f) graph[rng() % graph.size()] ^= static_cast<uint8_t>(1u << (rng() % 8));
    auto plan = parse(info_, graph);
    if (!plan.ok()) {
      ++refused;
      EXPECT_EQ(plan.status().message().rfind("plan 'mem.plan': ", 0), 0u) << plan.status().to_string();
    }
  }
  EXPECT_GT(refused, trials / 4);
}

}  // namespace
}  // namespace qatrt
