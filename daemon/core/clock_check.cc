#include "core/clock_check.h"

#include <algorithm>

#include "config/config_value.h"

namespace retention {
namespace {

// Whole seconds: the nanoseconds between two readings are noise to a reader.
std::string SecondsText(Duration d) {
  return FormatDuration(std::chrono::round<std::chrono::seconds>(d));
}

std::string Signed(Duration d) {
  return (d < Duration::zero() ? "-" : "+") +
         SecondsText(d < Duration::zero() ? -d : d);
}

}  // namespace

ClockReading ReadClock(const Clock& clock) {
  ClockReading best;
  Duration best_gap = Duration::max();
  for (int i = 0; i < kClockReadTries; ++i) {
    const Duration before = clock.BootNow();
    const WallTime wall = clock.Now();
    const Duration after = clock.BootNow();
    const Duration gap = after - before;
    // A negative gap cannot happen on one boot clock; if a fake (or a
    // broken kernel) produced one, it is no better than any other reading.
    if (gap < Duration::zero() || gap >= best_gap) continue;
    best_gap = gap;
    best.wall = wall;
    best.boot = before + gap / 2;
    best.uncertainty = gap - gap / 2;
    if (gap == Duration::zero()) break;
  }
  if (best_gap == Duration::max()) {  // every try was inconsistent
    best.boot = clock.BootNow();
    best.wall = clock.Now();
  }
  best.boot_id = clock.BootId();
  return best;
}

ClockVerdict CheckClock(const ClockReading& last, const ClockReading& now,
                        Duration limit) {
  ClockVerdict v;
  // The doubt goes to the operator: a skew this close to the limit brakes.
  // Half the limit at least, for a limit set absurdly close to the slack.
  const Duration threshold = std::max(
      limit / 2, limit - kClockJumpSlack - last.uncertainty - now.uncertainty);
  if (last.boot_id != now.boot_id || now.boot < last.boot) {
    const Duration back = last.wall - now.wall;
    if (back >= threshold) {
      v.jumped = true;
      v.skew = -back;
      v.reason = "wall clock is " + SecondsText(back) +
                 " behind the last run (" + FormatIso8601(last.wall) +
                 ", previous boot)";
    }
    return v;
  }
  v.skew = (now.wall - last.wall) - (now.boot - last.boot);
  const Duration magnitude = v.skew < Duration::zero() ? -v.skew : v.skew;
  if (magnitude >= threshold) {
    v.jumped = true;
    v.reason = "wall clock moved " + Signed(v.skew) +
               " against boot time since the last run at " +
               FormatIso8601(last.wall) + " (limit " + FormatDuration(limit) +
               ")";
  }
  return v;
}

}  // namespace retention
