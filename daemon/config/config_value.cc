#include "config/config_value.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <vector>

namespace retention {
namespace {

constexpr std::string_view kSizeHint =
    "expected a byte count with an optional unit K, M, G, T or P "
    "(e.g. 200M, 4G, 1.5T)";
constexpr std::string_view kDurationHint =
    "expected numbers with units s, m, h, d, w or y, largest first "
    "(e.g. 30s, 1h30m, 395d) or 0";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string Quote(std::string_view text) {
  return "'" + std::string(text) + "'";
}

Status BadSize(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("bad size " + Quote(text) + ": " +
                                 std::string(why) + "; " +
                                 std::string(kSizeHint));
}

Status BadDuration(std::string_view text, std::string_view why) {
  return Status::InvalidArgument("bad duration " + Quote(text) + ": " +
                                 std::string(why) + "; " +
                                 std::string(kDurationHint));
}

// Consumes a run of digits from the front of *rest.
std::string_view TakeDigits(std::string_view* rest) {
  size_t n = 0;
  while (n < rest->size() && IsDigit((*rest)[n])) ++n;
  std::string_view digits = rest->substr(0, n);
  rest->remove_prefix(n);
  return digits;
}

// Decimal digits to uint64; false on overflow. Precondition: all digits.
bool DigitsToU64(std::string_view digits, uint64_t* out) {
  auto [end, ec] =
      std::from_chars(digits.data(), digits.data() + digits.size(), *out);
  return ec == std::errc() && end == digits.data() + digits.size();
}

// Power of 1024 for a unit letter, or -1. Lower case is accepted only for
// 'k', because "m" would read as milli and "b" as bits elsewhere.
int UnitShift(char c) {
  switch (c) {
    case 'k':
    case 'K':
      return 10;
    case 'M':
      return 20;
    case 'G':
      return 30;
    case 'T':
      return 40;
    case 'P':
      return 50;
    default:
      return -1;
  }
}

// floor(0.<fraction> * multiplier), exactly. Works from the last digit
// so each step stays below 10 * multiplier: floor((a + floor(b)) / 10)
// equals floor((a + b) / 10) for integer a.
uint64_t FractionTimes(std::string_view fraction, uint64_t multiplier) {
  uint64_t carry = 0;
  for (auto it = fraction.rbegin(); it != fraction.rend(); ++it) {
    carry = (static_cast<uint64_t>(*it - '0') * multiplier + carry) / 10;
  }
  return carry;
}

// Parses the unit suffix ("", "K", "KB", "KiB", "B") into a shift.
bool ParseSizeUnit(std::string_view unit, int* shift) {
  *shift = 0;
  if (unit.empty() || unit == "B") return true;
  *shift = UnitShift(unit[0]);
  if (*shift < 0) return false;
  unit.remove_prefix(1);
  return unit.empty() || unit == "B" || unit == "iB";
}

}  // namespace

StatusOr<uint64_t> ParseSize(std::string_view text) {
  if (text.empty()) return BadSize(text, "empty");
  std::string_view rest = text;
  std::string_view whole = TakeDigits(&rest);
  if (whole.empty()) return BadSize(text, "no number");
  std::string_view fraction;
  if (!rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    fraction = TakeDigits(&rest);
    if (fraction.empty()) return BadSize(text, "no digits after '.'");
  }
  int shift = 0;
  if (!ParseSizeUnit(rest, &shift)) {
    return BadSize(text, "unknown unit " + Quote(rest));
  }
  const uint64_t multiplier = uint64_t{1} << shift;
  const uint64_t part = FractionTimes(fraction, multiplier);
  if (shift == 0 && fraction.find_first_not_of('0') != std::string_view::npos) {
    return BadSize(text, "a fraction of a byte");
  }
  uint64_t n = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  if (!DigitsToU64(whole, &n) || n > (kMax >> shift) ||
      (n << shift) > kMax - part) {
    return BadSize(text, "too large");
  }
  const uint64_t bytes = (n << shift) + part;
  if (bytes == 0 &&
      (whole.find_first_not_of('0') != std::string_view::npos ||
       fraction.find_first_not_of('0') != std::string_view::npos)) {
    // 0.0000001K would otherwise read as 0: for a budget, no budget at all.
    return BadSize(text, "rounds to 0 bytes; write 0 if that is meant");
  }
  return bytes;
}

namespace {

struct DurationUnit {
  char letter;
  int64_t seconds;
};

// Largest first: a compound must list its units in this order.
constexpr std::array<DurationUnit, 6> kDurationUnits = {{
    {'y', 365 * 86400},
    {'w', 7 * 86400},
    {'d', 86400},
    {'h', 3600},
    {'m', 60},
    {'s', 1},
}};

// Index into kDurationUnits, or -1.
int DurationUnitIndex(char c) {
  for (size_t i = 0; i < kDurationUnits.size(); ++i) {
    if (kDurationUnits[i].letter == c) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

StatusOr<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return BadDuration(text, "empty");
  if (text == "0") return Duration::zero();
  // Nanoseconds are the representation, so that is where overflow bites.
  constexpr int64_t kMaxSeconds =
      std::numeric_limits<Duration::rep>::max() / 1000000000;
  std::string_view rest = text;
  int64_t total = 0;
  int last_unit = -1;
  while (!rest.empty()) {
    std::string_view digits = TakeDigits(&rest);
    if (digits.empty()) return BadDuration(text, "expected a number");
    if (rest.empty()) return BadDuration(text, "missing unit");
    const int unit = DurationUnitIndex(rest[0]);
    if (unit < 0)
      return BadDuration(text, "unknown unit " + Quote(rest.substr(0, 1)));
    if (unit <= last_unit) return BadDuration(text, "units out of order");
    rest.remove_prefix(1);
    last_unit = unit;
    uint64_t n = 0;
    const int64_t scale = kDurationUnits[unit].seconds;
    if (!DigitsToU64(digits, &n) ||
        n > static_cast<uint64_t>((kMaxSeconds - total) / scale)) {
      return BadDuration(text, "too large");
    }
    total += static_cast<int64_t>(n) * scale;
  }
  return std::chrono::duration_cast<Duration>(std::chrono::seconds(total));
}

StatusOr<bool> ParseBool(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  });
  for (const char* yes : {"yes", "true", "on", "1"}) {
    if (lower == yes) return true;
  }
  for (const char* no : {"no", "false", "off", "0"}) {
    if (lower == no) return false;
  }
  return Status::InvalidArgument(
      "bad boolean " + Quote(text) +
      ": expected yes/no, true/false, on/off or 1/0");
}

StatusOr<int64_t> ParseInt(std::string_view text) {
  // Checked by hand first so the message can say what was expected; the
  // int64 range is from_chars' job.
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '-') digits.remove_prefix(1);
  const bool all_digits =
      !digits.empty() && std::all_of(digits.begin(), digits.end(), IsDigit);
  int64_t value = 0;
  if (all_digits) {
    auto [end, ec] =
        std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return value;
    if (ec == std::errc::result_out_of_range) {
      return Status::InvalidArgument("bad integer " + Quote(text) +
                                     ": out of the 64-bit range");
    }
  }
  return Status::InvalidArgument("bad integer " + Quote(text) +
                                 ": expected digits with an optional '-'");
}

StatusOr<double> ParseFraction(std::string_view text) {
  std::string_view rest = text;
  const bool has_whole = !TakeDigits(&rest).empty();
  bool ok = has_whole;
  if (ok && !rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    ok = !TakeDigits(&rest).empty();
  }
  double value = 0;
  if (ok && rest.empty()) {
    // Syntax is checked above; from_chars only converts.
    std::from_chars(text.data(), text.data() + text.size(), value);
    if (value >= 0.0 && value <= 1.0) return value;
  }
  return Status::InvalidArgument("bad fraction " + Quote(text) +
                                 ": expected a number from 0 to 1 "
                                 "(e.g. 0.25)");
}

StatusOr<SpaceLimit> ParseSpaceLimit(std::string_view text) {
  SpaceLimit limit;
  if (text.empty() || text.back() != '%') {
    auto bytes = ParseSize(text);
    if (!bytes.ok()) {
      return Status::InvalidArgument(bytes.status().message() +
                                     ", or a percentage (e.g. 10%)");
    }
    limit.bytes = *bytes;
    return limit;
  }
  std::string_view number = text.substr(0, text.size() - 1);
  std::string_view rest = number;
  bool ok = !TakeDigits(&rest).empty();
  if (ok && !rest.empty() && rest[0] == '.') {
    rest.remove_prefix(1);
    ok = !TakeDigits(&rest).empty();
  }
  if (ok && rest.empty()) {
    // Syntax is checked above; from_chars only converts.
    std::from_chars(number.data(), number.data() + number.size(),
                    limit.percent);
    if (limit.percent > 0 && limit.percent < 100) return limit;
  }
  return Status::InvalidArgument("bad percentage " + Quote(text) +
                                 ": expected more than 0% and less than "
                                 "100% (e.g. 10%)");
}

uint64_t SpaceLimit::RequiredOf(uint64_t total) const {
  if (percent == 0) return bytes;
  return static_cast<uint64_t>(static_cast<long double>(total) * percent / 100);
}

std::string SpaceLimit::ToString() const {
  if (percent == 0) return FormatSize(bytes);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g%%", percent);
  return buf;
}

std::string FormatSize(uint64_t bytes) {
  static constexpr std::string_view kUnits = "KMGTP";
  int unit = -1;
  while (unit + 1 < static_cast<int>(kUnits.size()) &&
         bytes >= (uint64_t{1} << (10 * (unit + 2)))) {
    ++unit;
  }
  if (unit < 0) return std::to_string(bytes);
  const int shift = 10 * (unit + 1);
  const uint64_t whole = bytes >> shift;
  const uint64_t rem = bytes & ((uint64_t{1} << shift) - 1);
  std::string out = std::to_string(whole);
  // Tenths rounded down: never shows more than there is, and "1.0G" for
  // 1G + 1 byte still tells the reader it is not exactly 1G.
  if (rem != 0) out += "." + std::to_string((rem * 10) >> shift);
  return out + kUnits[unit];
}

std::string FormatDuration(Duration d) {
  if (d < Duration::zero()) return "-" + FormatDuration(-d);
  using std::chrono::duration_cast;
  int64_t s = duration_cast<std::chrono::seconds>(d).count();
  const int64_t ms = duration_cast<std::chrono::milliseconds>(d).count() % 1000;
  std::string out;
  const int64_t days = s / 86400;
  // Whole years read better ("6y"); otherwise days, as written in policies
  // ("395d" rather than "1y30d").
  if (days > 0 && days % 365 == 0) {
    out += std::to_string(days / 365) + "y";
  } else if (days > 0) {
    out += std::to_string(days) + "d";
  }
  s %= 86400;
  if (s / 3600) out += std::to_string(s / 3600) + "h";
  if (s % 3600 / 60) out += std::to_string(s % 3600 / 60) + "m";
  if (s % 60) out += std::to_string(s % 60) + "s";
  if (ms) out += std::to_string(ms) + "ms";
  return out.empty() ? "0s" : out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t substitute = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, substitute});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> SplitWords(std::string_view text) {
  std::vector<std::string> words;
  constexpr std::string_view kBlanks = " \t";
  size_t pos = text.find_first_not_of(kBlanks);
  while (pos != std::string_view::npos) {
    const size_t end = text.find_first_of(kBlanks, pos);
    words.emplace_back(text.substr(pos, end - pos));
    pos = text.find_first_not_of(kBlanks, end);
  }
  return words;
}

}  // namespace retention
