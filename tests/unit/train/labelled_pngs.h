// A labelled folder (labels.txt + images/N.png) for the `qatrt train` CLI tests: image i is of class
// i % kClasses, which quadrant is bright names it (as in SyntheticImages), sizes vary a little.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "unit/data/image_test_util.h"
#include "unit/train/train_test_util.h"

namespace qatrt::train_test {

inline bool write_labelled_pngs(const std::filesystem::path& folder, int count) {
  std::filesystem::create_directories(folder / "images");
  std::ofstream labels(folder / "labels.txt");
  for (int i = 0; i < count; ++i) {
    const int cls = i % kClasses;
    Image image = data_test::synthetic_image(16 + i % 3, 15 + i % 4);
    for (int y = 0; y < image.height; ++y)
      for (int x = 0; x < image.width; ++x)
        if ((y < image.height / 2) == (cls / 2 == 0) && (x < image.width / 2) == (cls % 2 == 0)) image.pixel(x, y)[1] = 255;
    const std::string name = "images/" + std::to_string(i) + ".png";
    if (!data_test::write_rgb_png((folder / name).string(), image)) return false;
    labels << name << " " << cls << "\n";
  }
  return static_cast<bool>(labels);
}

}  // namespace qatrt::train_test
