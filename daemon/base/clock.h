// Clock: the only source of time. Wall time (CLOCK_REALTIME) dates items and
// measures their age; boot time (CLOCK_BOOTTIME: monotonic, counts suspend)
// drives the scheduler and checks the wall clock for jumps. The boot id tells
// whether two boot times belong to the same boot. Implementations must be
// safe to call from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace retention {

using Duration = std::chrono::nanoseconds;
using WallTime = std::chrono::time_point<std::chrono::system_clock, Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual WallTime Now() const = 0;
  // Time since boot, including suspend.
  virtual Duration BootNow() const = 0;
  // Identifies the current boot (Linux: /proc/sys/kernel/random/boot_id).
  virtual std::string BootId() const = 0;
  // Blocks the calling thread for about `d` (a worker that polls; the main
  // loop never sleeps).
  virtual void Sleep(Duration d) const = 0;
};

// The real clock. Constructed only by main().
class PosixClock final : public Clock {
 public:
  PosixClock();
  WallTime Now() const override;
  Duration BootNow() const override;
  std::string BootId() const override { return boot_id_; }
  void Sleep(Duration d) const override;

 private:
  std::string boot_id_;
};

// Seconds since the epoch, and back. ISO-8601 UTC ("2026-11-23T10:54:26Z").
int64_t ToUnixSeconds(WallTime t);
WallTime FromUnixSeconds(int64_t s);
std::string FormatIso8601(WallTime t);

}  // namespace retention
