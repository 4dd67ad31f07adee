// TimeZone: the calendar a policy's periods follow. UTC, a fixed offset
// ("+02:00", "-0530") or an IANA name ("Europe/Paris") from the system's
// time zone database (/usr/share/zoneinfo, package tzdata), read through
// Howard Hinnant's date library (Debian's libhowardhinnant-date-dev) because
// GCC 12's libstdc++ has no std::chrono::tzdb.
//
// Parse reads the database (once per process, then cached by the library);
// everything else is pure arithmetic on the parsed zone and thread-safe.
// Local times here are durations since the local epoch (local midnight of
// 1970-01-01), the form the period arithmetic floors.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/status.h"

namespace date {
class time_zone;
}

namespace retention {

class TimeZone {
 public:
  TimeZone() = default;  // UTC

  // "UTC", "Z", "+02:00", "-0530", "+2", or an IANA name such as
  // "Europe/Paris". kInvalidArgument naming the accepted forms otherwise
  // (an unknown name, an offset beyond +-18:00).
  static StatusOr<TimeZone> Parse(std::string_view text);

  // UTC + OffsetAt(t) is the local time at t.
  Duration OffsetAt(WallTime t) const;
  Duration ToLocal(WallTime t) const { return t.time_since_epoch() + OffsetAt(t); }
  // The UTC time of a local time. A local time that occurs twice (a
  // daylight-saving fall-back) gives the earlier instant; one that never
  // occurs (a spring-forward gap) gives the instant the gap ends.
  WallTime FromLocal(Duration local) const;

  // "Z" for UTC, else the offset at t: "+01:00", "-05:30".
  std::string SuffixAt(WallTime t) const;
  // As configured: "UTC", "+02:00", "Europe/Paris".
  const std::string& name() const { return name_; }
  bool utc() const { return zone_ == nullptr && fixed_ == Duration::zero(); }

 private:
  Duration fixed_{};                    // without a named zone
  const date::time_zone* zone_ = nullptr;  // owned by the library's database
  std::string name_ = "UTC";
};

}  // namespace retention
