#include "clock_check.h"

#include "config_value.h"

namespace retention {
namespace {

// Whole seconds: the nanoseconds between two readings are noise to a reader.
std::string Seconds(Duration d) {
  return FormatDuration(std::chrono::round<std::chrono::seconds>(d));
}

std::string Signed(Duration d) {
  return (d < Duration::zero() ? "-" : "+") +
         Seconds(d < Duration::zero() ? -d : d);
}

}  // namespace

ClockReading ReadClock(const Clock& clock) {
  return {clock.Now(), clock.BootNow(), clock.BootId()};
}

ClockVerdict CheckClock(const ClockReading& last, const ClockReading& now,
                        Duration limit) {
  ClockVerdict v;
  if (last.boot_id != now.boot_id || now.boot < last.boot) {
    const Duration back = last.wall - now.wall;
    if (back >= limit) {
      v.jumped = true;
      v.skew = -back;
      v.reason = "wall clock is " + Seconds(back) + " behind the last run (" +
                 FormatIso8601(last.wall) + ", previous boot)";
    }
    return v;
  }
  v.skew = (now.wall - last.wall) - (now.boot - last.boot);
  const Duration magnitude = v.skew < Duration::zero() ? -v.skew : v.skew;
  if (magnitude >= limit) {
    v.jumped = true;
    v.reason = "wall clock moved " + Signed(v.skew) +
               " against boot time since the last run at " +
               FormatIso8601(last.wall) + " (limit " + FormatDuration(limit) +
               ")";
  }
  return v;
}

}  // namespace retention
