// A progress bar for long work (calibration, evaluation, builds) on stderr:
//   calibrate [##########----------] 480/1000  38.2 img/s  eta 13s
// On a terminal it redraws one line; otherwise (CI logs) it prints a line every 10 %.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace qatrt {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, std::string unit = "img");
  // Advances by `count` items; `note` is appended (e.g. "loss 1.23").
  void advance(int64_t count, const std::string& note = "");
  void finish();
  double elapsed_seconds() const;

 private:
  void draw(const std::string& note);

  std::string label_;
  std::string unit_;
  int64_t total_;
  int64_t done_ = 0;
  int last_decile_ = -1;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace qatrt
