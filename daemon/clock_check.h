// The clock brake's pure half: did the wall clock jump between two
// readings? Within one boot, wall time and boot time must advance together;
// if they drift apart by more than the limit, someone set the clock (or NTP
// stepped it far), and ages computed from wall time cannot be trusted for
// deletion. Across a reboot the boot clocks are unrelated, so only a wall
// clock that went backwards past the limit is detectable there.
#pragma once

#include <string>

#include "clock.h"

namespace retention {

struct ClockReading {
  WallTime wall{};
  Duration boot{};
  std::string boot_id;
};

struct ClockVerdict {
  bool jumped = false;
  Duration skew{};     // wall advance minus boot advance (0 across boots)
  std::string reason;  // for the status, the log and the ledger
};

ClockReading ReadClock(const Clock& clock);

ClockVerdict CheckClock(const ClockReading& last, const ClockReading& now,
                        Duration limit);

}  // namespace retention
