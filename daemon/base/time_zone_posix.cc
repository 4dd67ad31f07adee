#include "base/time_zone.h"

#include <date/tz.h>

#include <cstdio>
#include <stdexcept>

namespace retention {
namespace {

using std::chrono::minutes;

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int ToInt(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

// Splits "HH:MM", "HHMM" or "H"/"HH" into minutes; -1 when malformed.
int OffsetMinutes(std::string_view s) {
  std::string_view hours = s, mins;
  if (auto colon = s.find(':'); colon != std::string_view::npos) {
    hours = s.substr(0, colon);
    mins = s.substr(colon + 1);
    if (mins.size() != 2) return -1;
  } else if (s.size() == 4) {
    hours = s.substr(0, 2);
    mins = s.substr(2);
  }
  if (!Digits(hours) || hours.size() > 2 || (!mins.empty() && !Digits(mins))) {
    return -1;
  }
  const int m = mins.empty() ? 0 : ToInt(mins);
  return m < 60 ? ToInt(hours) * 60 + m : -1;
}

Status BadZone(std::string_view text, const std::string& why) {
  return Status::InvalidArgument(
      "'" + std::string(text) +
      "' is not UTC, a fixed offset such as +02:00 or -05:30, or a time "
      "zone name such as Europe/Paris" +
      (why.empty() ? "" : " (" + why + ")"));
}

}  // namespace

StatusOr<TimeZone> TimeZone::Parse(std::string_view text) {
  TimeZone tz;
  tz.name_ = std::string(text);
  if (text.empty()) return BadZone(text, "");
  if (text == "UTC" || text == "Z" || text == "utc") return tz;
  if (text.size() > 1 && (text[0] == '+' || text[0] == '-')) {
    const int m = OffsetMinutes(text.substr(1));
    if (m < 0 || m > 18 * 60) return BadZone(text, "");
    tz.fixed_ = minutes(text[0] == '-' ? -m : m);
    return tz;
  }
  // A name: letters, digits and "/_-+" only, so no path escapes the
  // database's directory.
  const bool plain = text.front() != '/' &&
                     text.find("..") == std::string_view::npos &&
                     text.find_first_not_of(
                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                         "0123456789/_-+") == std::string_view::npos;
  if (!plain) return BadZone(text, "");
  try {
    tz.zone_ = date::locate_zone(std::string(text));
  } catch (const std::exception& e) {
    return BadZone(text, "not in the time zone database under "
                         "/usr/share/zoneinfo: " + std::string(e.what()));
  }
  return tz;
}

Duration TimeZone::OffsetAt(WallTime t) const {
  if (zone_ == nullptr) return fixed_;
  const auto info = zone_->get_info(
      date::sys_time<Duration>(t.time_since_epoch()));
  return info.offset;
}

WallTime TimeZone::FromLocal(Duration local) const {
  if (zone_ == nullptr) return WallTime(local - fixed_);
  const date::local_time<Duration> lt(local);
  const auto info = zone_->get_info(lt);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:  // the first: the earlier instant
      return WallTime(local - info.first.offset);
    case date::local_info::nonexistent:  // the gap ends at this instant
      return WallTime(info.first.end.time_since_epoch());
  }
  return WallTime(local - info.first.offset);
}

std::string TimeZone::SuffixAt(WallTime t) const {
  const auto off =
      std::chrono::duration_cast<minutes>(OffsetAt(t)).count();
  if (off == 0 && zone_ == nullptr) return "Z";
  const long abs = off < 0 ? -off : off;
  char buf[48];  // room for any long, as GCC checks
  std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", off < 0 ? '-' : '+',
                abs / 60, abs % 60);
  return buf;
}

}  // namespace retention
