// Label files: JSON arrays and objects (Keras class_index), synset_words.txt-style text, plain text, errors.
#include <filesystem>

#include "data/labels.h"
#include "image_test_util.h"

namespace qatrt {
namespace {

using data_test::TempDirTest;

class Labels : public TempDirTest {};

TEST(LabelsParse, KerasClassIndexObject) {
  auto labels = parse_labels(R"({"1": ["n01443537", "goldfish"], "0": ["n01440764", "tench"]})", "idx.json");
  ASSERT_TRUE(labels.ok()) << labels.status().to_string();
  ASSERT_EQ(labels->size(), 2u);
  EXPECT_EQ((*labels)[0].synset, "n01440764");
  EXPECT_EQ((*labels)[0].name, "tench");
  EXPECT_EQ((*labels)[1].name, "goldfish");
}

TEST(LabelsParse, JsonObjectOfNamesAndJsonArray) {
  auto object = parse_labels(R"({"0": "cat", "1": "dog"})", "o.json");
  ASSERT_TRUE(object.ok()) << object.status().to_string();
  EXPECT_EQ((*object)[1].name, "dog");
  auto array = parse_labels(R"(  ["cat", ["dog"], ["n00000001", "eel"]])", "a.json");
  ASSERT_TRUE(array.ok()) << array.status().to_string();
  ASSERT_EQ(array->size(), 3u);
  EXPECT_EQ((*array)[1].name, "dog");
  EXPECT_EQ((*array)[2].synset, "n00000001");
  EXPECT_EQ((*array)[2].name, "eel");
}

TEST(LabelsParse, SynsetWordsText) {
  auto labels = parse_labels("n01440764 tench, Tinca tinca\r\nn01443537 goldfish, Carassius auratus\n\n", "s.txt");
  ASSERT_TRUE(labels.ok()) << labels.status().to_string();
  ASSERT_EQ(labels->size(), 2u) << "trailing empty lines are not classes";
  EXPECT_EQ((*labels)[0].synset, "n01440764");
  EXPECT_EQ((*labels)[0].name, "tench, Tinca tinca");
  EXPECT_EQ((*labels)[1].name, "goldfish, Carassius auratus");
}

TEST(LabelsParse, PlainTextKeepsWholeLines) {
  auto labels = parse_labels("background\ngreat white shark\nn0144 not a synset\nn01440764\n", "p.txt");
  ASSERT_TRUE(labels.ok()) << labels.status().to_string();
  ASSERT_EQ(labels->size(), 4u);
  EXPECT_EQ((*labels)[1].name, "great white shark");
  EXPECT_EQ((*labels)[2].synset, "");
  EXPECT_EQ((*labels)[2].name, "n0144 not a synset");
  EXPECT_EQ((*labels)[3].name, "n01440764") << "a synset alone is its own name";
}

TEST(LabelsParse, ErrorsNameTheFileAndTheProblem) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"0": "a", "2": "b"})", "key '2' is not a distinct class index in [0, 2)"},
      {R"({"zero": "a"})", "key 'zero'"},
      {R"({"0": 5})", "entry '0' is not a name"},
      {R"(["a", 3])", "entry 1 is not a name"},
      {R"(["a", )", "is not valid JSON"},
      {"a\n\nb\n", "line 2 is empty"},
      {" \n\t\n", "is empty"},
  };
  for (const auto& [text, expected] : cases) {
    auto labels = parse_labels(text, "bad.txt");
    ASSERT_FALSE(labels.ok()) << text;
    EXPECT_NE(labels.status().message().find("'bad.txt'"), std::string::npos) << labels.status().to_string();
    EXPECT_NE(labels.status().message().find(expected), std::string::npos) << text << " → " << labels.status().to_string();
  }
}

TEST_F(Labels, LoadsFromFileAndReportsMissingFile) {
  data_test::write_bytes(path("l.json"), R"(["a", "b", "c"])");
  auto labels = load_labels(path("l.json"));
  ASSERT_TRUE(labels.ok()) << labels.status().to_string();
  EXPECT_EQ(labels->size(), 3u);
  auto missing = load_labels(path("nope.txt"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find(path("nope.txt")), std::string::npos);
}

TEST(LabelsParse, SharedImagenetSynsetWords) {
  const std::string file = "/work/shared/data/synset_words.txt";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " not present";
  auto labels = load_labels(file);
  ASSERT_TRUE(labels.ok()) << labels.status().to_string();
  ASSERT_EQ(labels->size(), 1000u);
  EXPECT_EQ((*labels)[0].name, "tench, Tinca tinca");
  EXPECT_EQ((*labels)[999].synset.size(), 9u);
}

}  // namespace
}  // namespace qatrt
