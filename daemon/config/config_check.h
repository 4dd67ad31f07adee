// Checks for single configuration values and names, shared by the config
// loader: a value against its KeySpec (type, choices, path resolution), and
// the nearest known name for "did you mean" hints. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "config/kind_registry.h"

namespace retention {

// Validates *raw as a value of `key`. kPath and kPathList values are
// rewritten: each relative path is made absolute against `base_dir` and
// every path is lexically normalised. Empty values are refused except for
// kString and kList. Returns kInvalidArgument with a message fit to follow
// "FILE:LINE: [section] key: ".
Status CheckValue(const KeySpec& key, const std::string& base_dir,
                  std::string* raw);

// The candidate closest to `word` by edit distance if it is within
// max(2, word.size() / 3); empty if none is. Ties go to the earlier one.
std::string NearestName(std::string_view word,
                        const std::vector<std::string>& candidates);

// "a, b, c".
std::string JoinNames(const std::vector<std::string>& names);

}  // namespace retention
