// Strict parsers and formatters for configuration values. Pure functions,
// thread-safe.
//   sizes:     "123" (bytes), "200K", "200M", "4G", "1.5T", "2P" — binary
//              multiples (K = 1024); fractional values round down to a byte.
//   durations: "0", "30s", "1m", "1h", "24h", "395d", "2w", "6y", compounds
//              "1h30m"; m = minute, w = 7 days, y = 365 days.
//   booleans:  yes/no, true/false, on/off, 1/0.
//   space:     a size ("2G") or a percentage of a filesystem ("10%",
//              "2.5%"; more than 0, less than 100).
// Anything else (empty, negative, unknown unit, overflow, trailing text) is
// kInvalidArgument with a message that says what was expected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace retention {

StatusOr<uint64_t> ParseSize(std::string_view text);
StatusOr<Duration> ParseDuration(std::string_view text);
StatusOr<bool> ParseBool(std::string_view text);
StatusOr<int64_t> ParseInt(std::string_view text);
// A number in [0, 1], e.g. "0.25".
StatusOr<double> ParseFraction(std::string_view text);

// How much of a filesystem must stay free: bytes, or a percentage of its
// size (then `bytes` is 0).
struct SpaceLimit {
  uint64_t bytes = 0;
  double percent = 0;

  bool empty() const { return bytes == 0 && percent == 0; }
  // The bytes required of a filesystem of `total` bytes.
  uint64_t RequiredOf(uint64_t total) const;
  std::string ToString() const;  // "2G", "10%"
};
StatusOr<SpaceLimit> ParseSpaceLimit(std::string_view text);

// "200M", "1.5G", "123" — the largest unit that keeps one decimal exact
// enough for a human; round-trips through ParseSize to within 0.1 unit.
std::string FormatSize(uint64_t bytes);
// "395d", "1h30m", "0s".
std::string FormatDuration(Duration d);

// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);

// The words of a list value (paths, globs, a command's argv): separated by
// runs of blanks (space, tab); no quoting.
std::vector<std::string> SplitWords(std::string_view text);

}  // namespace retention
