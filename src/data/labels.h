// Class labels for printing predictions. Accepted files (the format is recognised from the content):
//   JSON array           ["tench", "goldfish", ...]
//   JSON object          {"0": ["n01440764", "tench"], "1": ...}   (Keras imagenet_class_index.json)
//                        {"0": "tench", ...}                        (keys: every index 0..N-1 exactly once)
//   text, one per line   "n01440764 tench, Tinca tinca"  (synset_words.txt: a WordNet id, then the names)
//                        "tench"                          (anything else: the whole line is the name)
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace qatrt {

struct Label {
  std::string synset;  // WordNet id like "n01440764" when the file has one, else empty
  std::string name;    // "tench" / "tench, Tinca tinca"
};

// Index i of the result is class i. Errors name the path and the offending line / key.
StatusOr<std::vector<Label>> load_labels(const std::string& path);
StatusOr<std::vector<Label>> parse_labels(const std::string& text, const std::string& origin);

}  // namespace qatrt
