#include "core/progress.h"

#include <unistd.h>

#include <cstdio>

namespace qatrt {

ProgressBar::ProgressBar(std::string label, int64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()) {}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void ProgressBar::advance(int64_t count, const std::string& note) {
  done_ += count;
  draw(note);
}

void ProgressBar::draw(const std::string& note) {
  int decile = total_ > 0 ? static_cast<int>(done_ * 10 / total_) : 10;
  if (!tty_ && decile == last_decile_ && done_ < total_) return;
  last_decile_ = decile;
  constexpr int kWidth = 20;
  int filled = total_ > 0 ? static_cast<int>(done_ * kWidth / total_) : kWidth;
  std::string bar(static_cast<size_t>(filled), '#');
  bar += std::string(static_cast<size_t>(kWidth - filled), '-');
  double seconds = elapsed_seconds();
  double rate = seconds > 0 ? static_cast<double>(done_) / seconds : 0;
  double eta = rate > 0 ? static_cast<double>(total_ - done_) / rate : 0;
  std::fprintf(stderr, "%s%s [%s] %lld/%lld  %.1f %s/s  eta %.0fs%s%s%s", tty_ ? "\r" : "", label_.c_str(), bar.c_str(),
               static_cast<long long>(done_), static_cast<long long>(total_), rate, unit_.c_str(), eta,
               note.empty() ? "" : "  ", note.c_str(), tty_ ? "\033[K" : "\n");
  std::fflush(stderr);
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (tty_) std::fprintf(stderr, "\n");
}

}  // namespace qatrt
