#include "data/image_list.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace qatrt {
namespace {

namespace fs = std::filesystem;

TEST(ImageList, DirectoryIsSearchedRecursivelySortedAndFiltered) {
  fs::path dir = fs::temp_directory_path() / "qatrt_image_list_test";
  fs::remove_all(dir);
  fs::create_directories(dir / "sub");
  for (const char* name : {"b.JPG", "a.png", "sub/c.jpeg", "notes.txt"}) std::ofstream(dir / name) << "x";
  auto images = list_images(dir.string());
  ASSERT_TRUE(images.ok()) << images.status().to_string();
  ASSERT_EQ(images->size(), 3u);
  EXPECT_EQ(fs::path((*images)[0]).filename(), "a.png");
  EXPECT_EQ(fs::path((*images)[2]).filename(), "c.jpeg");
  EXPECT_EQ(list_images(dir.string(), 2)->size(), 2u);
  // A list file: paths relative to the file, an optional label after the path, comments skipped.
  std::ofstream(dir / "list.txt") << "# calibration set\na.png 3\nsub/c.jpeg\n";
  auto listed = list_images((dir / "list.txt").string());
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[1], (dir / "sub/c.jpeg").string());
  fs::remove_all(dir);
}

TEST(ImageList, MissingOrEmptySetsNameThePath) {
  fs::path dir = fs::temp_directory_path() / "qatrt_image_list_empty";
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto empty = list_images(dir.string());
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find(dir.string()), std::string::npos);
  auto missing = list_images((dir / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace qatrt
