// `qatrt train` end to end on a tiny float ONNX model and a labelled folder of PNGs: recipe + calibration,
// training with checkpoints and a JSON log, an interrupted run resumed to the same export, `--epochs 0
// --eval-data`, then `qatrt build --int8` on the result.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "onnx/importer.h"
#include "unit/train/labelled_pngs.h"

namespace qatrt {
namespace {

// Runs a command with its output in `log`; prints both when the exit status is not the expected one.
int run(const std::string& command, const std::string& log, bool expect_success = true) {
  const int status = std::system((command + " > '" + log + "' 2>&1").c_str());
  if ((status == 0) != expect_success) {
    std::ifstream in(log);
    std::cout << "unexpected exit status " << status << ": " << command << "\n" << in.rdbuf() << "\n";
  }
  return status;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(export_onnx(train_test::small_cnn(false), dir_.file("float.onnx"), {}).ok());
    ASSERT_TRUE(train_test::write_labelled_pngs(dir_.path() / "data", 12));
  }
  std::string train_command(const std::string& extra) const {
    return std::string(QATRT_CLI) + " train --onnx " + dir_.file("float.onnx") + " --data " + dir_.file("data") +
           " --calib " + dir_.file("data/images") + " --calib-cache " + dir_.file("calib.json") +
           " --epochs 2 --batch 4 --lr 0.01 --seed 3 --deterministic --threads 1 " + extra;
  }
  testing::TempDir dir_;
};

TEST_F(TrainCli, TrainsResumesExportsAndBuilds) {
  ASSERT_EQ(run(train_command("--checkpoint-dir " + dir_.file("full") + " --log " + dir_.file("full.jsonl") +
                              " --log-every 2 --output " + dir_.file("full.onnx")), dir_.file("full.txt")), 0);
  // Log: step records every 2 steps and one record per epoch (3 steps each).
  int steps = 0, epochs = 0;
  std::ifstream log(dir_.file("full.jsonl"));
  for (std::string line; std::getline(log, line);) {
    auto record = nlohmann::json::parse(line);
    (record.at("type") == "epoch" ? epochs : steps) += 1;
    EXPECT_TRUE(record.contains("loss") && record.contains("top1")) << line;
  }
  EXPECT_EQ(epochs, 2);
  EXPECT_EQ(steps, 3);
  EXPECT_TRUE(std::filesystem::exists(dir_.file("full/latest.ckpt")));

  // Stopped after 4 of 6 steps, resumed: the same model file, byte for byte.
  ASSERT_EQ(run(train_command("--checkpoint-dir " + dir_.file("split") + " --max-steps 4 --output " + dir_.file("part.onnx")), dir_.file("part.txt")), 0);
  ASSERT_EQ(run(train_command("--checkpoint-dir " + dir_.file("split") + " --resume " + dir_.file("split") + " --output " +
                              dir_.file("resumed.onnx")), dir_.file("resumed.txt")), 0);
  EXPECT_NE(slurp(dir_.file("resumed.txt")).find("steps 4..6 of 6"), std::string::npos) << slurp(dir_.file("resumed.txt"));
  EXPECT_EQ(slurp(dir_.file("resumed.onnx")), slurp(dir_.file("full.onnx")));
  EXPECT_NE(slurp(dir_.file("part.onnx")), slurp(dir_.file("full.onnx")));

  // The export is a Q/DQ model qatrt builds into an INT8 plan, and the trainer evaluates it.
  auto imported = import_onnx_file(dir_.file("full.onnx"));
  ASSERT_TRUE(imported.ok()) << imported.status().to_string();
  EXPECT_GT(std::count_if(imported->nodes.begin(), imported->nodes.end(), [](const Node& n) { return n.op == Op::kQuantizeLinear; }), 5);
  EXPECT_EQ(run(std::string(QATRT_CLI) + " build --onnx " + dir_.file("full.onnx") + " --int8 --saveEngine " + dir_.file("full.plan"),
                dir_.file("build.txt")), 0);
  ASSERT_EQ(run(std::string(QATRT_CLI) + " train --onnx " + dir_.file("full.onnx") + " --data " + dir_.file("data") + " --epochs 0 --eval-data " +
                dir_.file("data") + " --eval-json " + dir_.file("eval.json") + " --output " + dir_.file("same.onnx"), dir_.file("eval.txt")), 0);
  auto eval = nlohmann::json::parse(slurp(dir_.file("eval.json")));
  EXPECT_EQ(eval.at("images"), 12);
  EXPECT_EQ(eval.at("predictions").size(), 12u);
}

TEST_F(TrainCli, UsageErrorsAreReported) {
  EXPECT_NE(run(train_command("--lr-schedule linear --output " + dir_.file("x.onnx")), dir_.file("e1.txt"), false), 0);
  EXPECT_NE(slurp(dir_.file("e1.txt")).find("use cosine or step"), std::string::npos) << slurp(dir_.file("e1.txt"));
  EXPECT_NE(run(train_command("--calib-method kl --output " + dir_.file("x.onnx")), dir_.file("e2.txt"), false), 0);
  EXPECT_NE(slurp(dir_.file("e2.txt")).find("kl"), std::string::npos) << slurp(dir_.file("e2.txt"));
  EXPECT_NE(run(train_command("--resume " + dir_.file("missing") + " --output " + dir_.file("x.onnx")), dir_.file("e3.txt"), false), 0);
  EXPECT_NE(slurp(dir_.file("e3.txt")).find("not found"), std::string::npos) << slurp(dir_.file("e3.txt"));
}

}  // namespace
}  // namespace qatrt
