#include "kinds/logs/logs_naming.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "kinds/logs/rotation_intent.h"

namespace retention {
namespace {

using std::chrono::seconds;

constexpr size_t kStampSize = 16;  // YYYYMMDDTHHMMSSZ
constexpr int kMaxNumber = 999999999;
// "_0002": '_' sorts after '.', so the first archive of a second
// (STAMP.zst, or STAMP alone) sorts before the second (STAMP_0002.zst),
// and zero-padding keeps _0010 after _0009.
constexpr size_t kSeqDigits = 4;

bool StripSuffix(std::string* s, std::string_view suffix) {
  if (s->size() <= suffix.size() ||
      s->compare(s->size() - suffix.size(), suffix.size(), suffix) != 0) {
    return false;
  }
  s->resize(s->size() - suffix.size());
  return true;
}

Compression StripCompression(std::string* s) {
  for (Compression c : {Compression::kZstd, Compression::kGzip}) {
    if (StripSuffix(s, CompressionSuffix(c))) return c;
  }
  return Compression::kNone;
}

// Digits without a leading zero, at most 9 of them; -1 otherwise.
int ParseNumber(std::string_view digits) {
  if (digits.empty() || digits.size() > 9 || digits[0] == '0') return -1;
  int n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

// Splits a trailing ".N" off *s; -1 (and *s untouched) when there is none.
int StripDotNumber(std::string* s) {
  const size_t dot = s->rfind('.');
  if (dot == std::string::npos || dot == 0) return -1;
  const int n = ParseNumber(std::string_view(*s).substr(dot + 1));
  if (n >= 0) s->resize(dot);
  return n;
}

int Field(std::string_view s, size_t pos, size_t len) {
  int n = 0;
  for (char c : s.substr(pos, len)) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::optional<WallTime> ParseStamp(std::string_view s) {
  if (s.size() != kStampSize || s[8] != 'T' || s[15] != 'Z') return {};
  const int y = Field(s, 0, 4), mo = Field(s, 4, 2), d = Field(s, 6, 2);
  const int h = Field(s, 9, 2), mi = Field(s, 11, 2), se = Field(s, 13, 2);
  if (y < 1970 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
      se < 0 || se > 59) {
    return {};
  }
  const std::chrono::year_month_day ymd{
      std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(mo)},
      std::chrono::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return {};
  return WallTime(std::chrono::sys_days(ymd).time_since_epoch() +
                  std::chrono::hours(h) + std::chrono::minutes(mi) +
                  seconds(se));
}

std::string FormatStamp(WallTime t) {
  const auto secs = std::chrono::floor<seconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(secs);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{secs - day};
  char buf[32];
  std::snprintf(
      buf, sizeof buf, "%04d%02u%02uT%02d%02d%02dZ",
      static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
      static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
      static_cast<int>(hms.minutes().count()),
      static_cast<int>(hms.seconds().count()));
  return buf;
}

// Fills live/time from "LIVE-STAMP"; false if `s` is not that.
bool ParseStamped(const std::string& s, ArchiveName* a) {
  if (s.size() < kStampSize + 2 || s[s.size() - kStampSize - 1] != '-') {
    return false;
  }
  auto time = ParseStamp(std::string_view(s).substr(s.size() - kStampSize));
  if (!time) return false;
  a->time = *time;
  a->live = s.substr(0, s.size() - kStampSize - 1);
  return true;
}

// Splits a trailing "_NNNN" (kSeqDigits digits, zero-padded, or more
// digits without a leading zero) off *s; -1 (and *s untouched) if none.
int StripSeq(std::string* s) {
  const size_t mark = s->rfind('_');
  if (mark == std::string::npos || mark == 0) return -1;
  std::string_view digits = std::string_view(*s).substr(mark + 1);
  if (digits.size() < kSeqDigits) return -1;
  if (digits.size() == kSeqDigits) {
    while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
  }
  const int n = ParseNumber(digits);
  if (n >= 0) s->resize(mark);
  return n;
}

// "LIVE-STAMP", "LIVE-STAMP_NNNN" or the earlier "LIVE-STAMP.N".
bool ParseTimestampBody(std::string body, ArchiveName* a) {
  if (ParseStamped(body, a)) return true;
  std::string legacy = body;
  int seq = StripSeq(&body);
  if (seq < 0) {
    body = std::move(legacy);
    seq = StripDotNumber(&body);
  }
  if (seq < 2) return false;
  a->seq = seq;
  return ParseStamped(body, a);
}

bool ParseNumberedBody(std::string body, ArchiveName* a) {
  const int number = StripDotNumber(&body);
  if (number < 1) return false;
  a->number = number;
  a->live = std::move(body);
  return true;
}

// ".TOKEN" of a rotation's temp name (ArchiveTempName in rotation_intent.h).
void StripTempToken(std::string* body) {
  const size_t n = kTempTokenSize + 1;
  if (body->size() <= n || (*body)[body->size() - n] != '.') return;
  for (size_t i = body->size() - kTempTokenSize; i < body->size(); ++i) {
    if ((*body)[i] < 'a' || (*body)[i] > 'z') return;
  }
  body->resize(body->size() - n);
}

}  // namespace

std::string FormatArchiveName(const std::string& live, WallTime t, int seq,
                              Compression c) {
  std::string name = live + "-" + FormatStamp(t);
  if (seq >= 2) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "_%0*d", static_cast<int>(kSeqDigits), seq);
    name += buf;
  }
  return name + CompressionSuffix(c);
}

std::string FormatNumberedName(const std::string& live, int number,
                               Compression c) {
  return live + "." + std::to_string(number) + CompressionSuffix(c);
}

std::string FormatName(const ArchiveName& a, ArchiveNaming naming) {
  return naming == ArchiveNaming::kNumbered
             ? FormatNumberedName(a.live, a.number, a.compression)
             : FormatArchiveName(a.live, a.time, a.seq, a.compression);
}

std::optional<ArchiveName> ParseAnyArchiveName(const std::string& name,
                                               ArchiveNaming naming) {
  ArchiveName a;
  std::string body = name;
  a.temp = StripSuffix(&body, kTempSuffix);
  if (a.temp) StripTempToken(&body);
  a.compression = StripCompression(&body);
  const bool ok = naming == ArchiveNaming::kNumbered
                      ? ParseNumberedBody(std::move(body), &a)
                      : ParseTimestampBody(std::move(body), &a);
  if (!ok || a.live.empty() || a.number > kMaxNumber) return std::nullopt;
  return a;
}

std::optional<ArchiveName> ParseArchiveName(const std::string& live,
                                            const std::string& name,
                                            ArchiveNaming naming) {
  auto a = ParseAnyArchiveName(name, naming);
  if (!a || a->live != live) return std::nullopt;
  return a;
}

std::string TempNameFor(const std::string& final_name) {
  return final_name + kTempSuffix;
}

bool IsTempName(const std::string& name) {
  std::string copy = name;
  return StripSuffix(&copy, kTempSuffix);
}

bool ArchiveOlder(const ArchiveName& a, const ArchiveName& b) {
  if (a.number != b.number) return a.number > b.number;
  if (a.time != b.time) return a.time < b.time;
  return a.seq < b.seq;
}

int FreeSeq(const std::string& live, WallTime t,
            const std::vector<std::string>& names) {
  const WallTime second = std::chrono::floor<seconds>(t);
  int highest = -1;
  for (const std::string& name : names) {
    auto a = ParseArchiveName(live, name, ArchiveNaming::kTimestamp);
    if (a && !a->temp && a->time == second)
      highest = std::max(highest, std::max(a->seq, 1));
  }
  return highest < 0 ? 0 : highest + 1;
}

}  // namespace retention
