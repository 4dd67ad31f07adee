#include "base/human_format.h"

#include <algorithm>
#include <array>

namespace retention {
namespace {

struct Unit {
  const char* suffix;
  int64_t seconds;
};

constexpr std::array<Unit, 5> kUnits = {{{"y", 365 * 86400},
                                         {"d", 86400},
                                         {"h", 3600},
                                         {"m", 60},
                                         {"s", 1}}};

}  // namespace

std::string HumanBytes(uint64_t bytes) {
  static constexpr const char* kIec[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  int unit = 0;
  while (unit + 1 < 5 && bytes >= (uint64_t{1} << (10 * (unit + 2)))) ++unit;
  const int shift = 10 * (unit + 1);
  const uint64_t whole = bytes >> shift;
  std::string out = std::to_string(whole);
  if (whole < 10) {
    const uint64_t rem = bytes & ((uint64_t{1} << shift) - 1);
    out += "." + std::to_string((rem * 10) >> shift);
  }
  return out + " " + kIec[unit];
}

// Built forwards: GCC 12 takes an insert() at a computed position for an
// overflow (-Wstringop-overflow, a false positive).
std::string HumanSize(int64_t bytes) {
  return HumanBytes(static_cast<uint64_t>(std::max<int64_t>(bytes, 0)));
}

std::string HumanCount(uint64_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  out.reserve(digits.size() + digits.size() / 3);
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string HumanCountOf(uint64_t n, std::string_view unit) {
  const std::string noun = unit.empty() ? "item" : std::string(unit);
  return HumanCount(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string HumanDuration(Duration d) {
  using std::chrono::duration_cast;
  if (d < Duration::zero()) return "-" + HumanDuration(-d);
  const int64_t total = duration_cast<std::chrono::seconds>(d).count();
  if (total == 0) {
    const auto ms = duration_cast<std::chrono::milliseconds>(d).count();
    return std::to_string(ms) + (ms == 0 ? "s" : "ms");
  }
  for (size_t i = 0; i < kUnits.size(); ++i) {
    const int64_t first = total / kUnits[i].seconds;
    if (first == 0) continue;
    std::string out = std::to_string(first) + kUnits[i].suffix;
    if (i + 1 < kUnits.size()) {
      const int64_t rest = total % kUnits[i].seconds / kUnits[i + 1].seconds;
      if (rest != 0) out += std::to_string(rest) + kUnits[i + 1].suffix;
    }
    return out;
  }
  return "0s";  // unreachable: total > 0 has a largest unit
}

std::string HumanRelative(WallTime t, WallTime now) {
  const Duration d = t - now;
  if (d > -std::chrono::seconds(1) && d < std::chrono::seconds(1)) return "now";
  return d > Duration::zero() ? "in " + HumanDuration(d)
                              : HumanDuration(-d) + " ago";
}

}  // namespace retention
