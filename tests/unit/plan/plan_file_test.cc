// write_plan / read_plan through real files: round trip, info fields, target check, file errors.
#include <filesystem>
#include <fstream>

#include "plan/host_target.h"
#include "plan/plan.h"
#include "plan_test_util.h"

namespace qatrt {
namespace {

namespace fs = std::filesystem;
using plan_test::graphs_equal;

class PlanFile : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(testing::TempDir()) / ("qatrt_plan_" + std::to_string(getpid()) + "_" +
                                           testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  static Plan make_plan(const std::string& target) {
    Plan plan;
    plan.info = {.target = target, .precision_mode = "int8", .source_model = "tiny.onnx", .builder_version = "0.1.0"};
    plan.graph = plan_test::quantized_classifier();
    return plan;
  }

  fs::path dir_;
};

TEST_F(PlanFile, RoundTripKeepsGraphAndInfo) {
  Plan plan = make_plan(host_cpu_target());
  ASSERT_TRUE(write_plan(plan, path("a.plan")).ok());
  auto read = read_plan(path("a.plan"), host_cpu_target());
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_TRUE(graphs_equal(plan.graph, read->graph));
  EXPECT_EQ(read->info.target, host_cpu_target());
  EXPECT_EQ(read->info.precision_mode, "int8");
  EXPECT_EQ(read->info.source_model, "tiny.onnx");
  EXPECT_EQ(read->info.builder_version, "0.1.0");
  EXPECT_EQ(read->info.creation_time.size(), std::string("2024-01-01T00:00:00Z").size()) << read->info.creation_time;
  EXPECT_EQ(read->info.target_features, host_cpu_features());
  EXPECT_FALSE(fs::exists(path("a.plan.tmp" + std::to_string(getpid())))) << "temporary file left behind";
}

TEST_F(PlanFile, KeepsGivenCreationTime) {
  Plan plan = make_plan(host_cpu_target());
  plan.info.creation_time = "2001-02-03T04:05:06Z";
  ASSERT_TRUE(write_plan(plan, path("a.plan")).ok());
  auto read = read_plan(path("a.plan"), "");
  ASSERT_TRUE(read.ok()) << read.status().to_string();
  EXPECT_EQ(read->info.creation_time, "2001-02-03T04:05:06Z");
}

TEST_F(PlanFile, HostTargetIsTheCpuArchitecture) {
#if defined(__x86_64__)
  EXPECT_EQ(host_cpu_target(), "cpu-x86_64");
#endif
  const std::string features = host_cpu_features();
  EXPECT_TRUE(features.empty() || features[0] == '+') << features;
}

TEST_F(PlanFile, ForeignTargetIsRefusedNamingBoth) {
  ASSERT_TRUE(write_plan(make_plan("cuda-sm_90"), path("gpu.plan")).ok());
  auto read = read_plan(path("gpu.plan"), host_cpu_target());
  ASSERT_FALSE(read.ok());
  const std::string message = read.status().message();
  EXPECT_EQ(read.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(message.find("'cuda-sm_90'"), std::string::npos) << message;
  EXPECT_NE(message.find("'" + host_cpu_target() + "'"), std::string::npos) << message;
  EXPECT_NE(message.find(path("gpu.plan")), std::string::npos) << message;
  // An empty expected target accepts any (inspecting a GPU plan on a CPU host).
  EXPECT_TRUE(read_plan(path("gpu.plan"), "").ok());
}

TEST_F(PlanFile, MissingFileIsNotFoundWithThePath) {
  auto read = read_plan(path("absent.plan"), "");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound);
  EXPECT_NE(read.status().message().find(path("absent.plan")), std::string::npos) << read.status().to_string();
}

TEST_F(PlanFile, DirectoryIsRefused) {
  auto read = read_plan(dir_.string(), "");
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.status().message().find("not a regular file"), std::string::npos) << read.status().to_string();
}

TEST_F(PlanFile, UnwritableDestinationIsAnIoErrorWithThePath) {
  Status s = write_plan(make_plan(host_cpu_target()), path("no/such/dir/a.plan"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_NE(s.message().find("no/such/dir/a.plan"), std::string::npos) << s.to_string();
}

TEST_F(PlanFile, PlanWithoutTargetIsRefused) {
  Status s = write_plan(make_plan(""), path("a.plan"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no target"), std::string::npos) << s.to_string();
}

TEST_F(PlanFile, GraphFailingVerificationIsNotWritten) {
  Plan plan = make_plan(host_cpu_target());
  plan.graph.nodes[1].inputs.clear();  // QConv without operands
  Status s = write_plan(plan, path("a.plan"));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("verification"), std::string::npos) << s.to_string();
  EXPECT_FALSE(fs::exists(path("a.plan")));
}

TEST_F(PlanFile, InfoSectionIsReadableJson) {
  ASSERT_TRUE(write_plan(make_plan(host_cpu_target()), path("a.plan")).ok());
  std::ifstream file(path("a.plan"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // A person with `strings` or a hex dump sees the target, the layer summary and the source model.
  EXPECT_NE(bytes.find("\"target\": \"" + host_cpu_target() + "\""), std::string::npos);
  EXPECT_NE(bytes.find("\"by_precision\""), std::string::npos);
  EXPECT_NE(bytes.find("\"int8\": 3"), std::string::npos) << "q_x, conv1 and dq_y are int8";
  EXPECT_NE(bytes.find("\"source_model\": \"tiny.onnx\""), std::string::npos);
}

}  // namespace
}  // namespace qatrt
