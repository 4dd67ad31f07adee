// The clock brake's pure half: did the wall clock jump between two
// readings? Within one boot, wall time and boot time must advance together;
// if they drift apart by more than the limit, someone set the clock (or NTP
// stepped it far), and ages computed from wall time cannot be trusted for
// deletion. Across a reboot the boot clocks are unrelated, so only a wall
// clock that went backwards past the limit is detectable there.
//
// Wall and boot time cannot be read at one instant, so a reading is a pair:
// boot, wall, boot, kept from the tightest of a few tries, with the wall time
// attributed to the midpoint of the two boot reads. The skew between two
// readings is then known to within their uncertainties, and the check counts
// that doubt in the operator's favour: a jump of exactly the limit brakes,
// whatever the nanoseconds between the reads (see CheckClock).
#pragma once

#include <string>

#include "base/clock.h"

namespace retention {

struct ClockReading {
  WallTime wall{};
  Duration boot{};  // the boot time `wall` is attributed to
  std::string boot_id;
  // How far `boot` may be from the instant `wall` was read: half the gap
  // between the two boot reads. Zero for readings restored from the state
  // database (the slack in CheckClock covers them).
  Duration uncertainty{};
};

struct ClockVerdict {
  bool jumped = false;
  Duration skew{};     // wall advance minus boot advance (0 across boots)
  std::string reason;  // for the status, the log and the ledger
};

// How many boot, wall, boot reads ReadClock() tries, keeping the tightest.
inline constexpr int kClockReadTries = 4;

// Slack added to the readings' own uncertainty: a skew within this much of
// the limit counts as reaching it. Far above what reading two clocks costs
// (tens of nanoseconds), far below anything an operator would set.
inline constexpr Duration kClockJumpSlack = std::chrono::milliseconds(1);

// Reads the clock as a pair (above). Never fails.
ClockReading ReadClock(const Clock& clock);

// The wall clock jumped when the skew between `last` and `now` (wall advance
// minus boot advance) is at least `limit` less the doubt in the two
// readings: kClockJumpSlack plus both uncertainties. Across a reboot (other
// boot id, or boot time went backwards) only a wall clock that went back by
// at least that much counts.
ClockVerdict CheckClock(const ClockReading& last, const ClockReading& now,
                        Duration limit);

}  // namespace retention
