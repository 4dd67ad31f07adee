// FakeClock: a Clock tests move by hand. Advance() moves wall and boot time
// together (time passing); JumpWall() moves only the wall clock (someone set
// the date); Reboot() starts a new boot. Not thread-safe: tests drive it from
// one thread.
#pragma once

#include "clock.h"

namespace retention {

class FakeClock final : public Clock {
 public:
  // 2026-01-01T00:00:00Z, an hour after boot.
  FakeClock()
      : wall_(FromUnixSeconds(1767225600)), boot_(std::chrono::hours(1)) {}

  WallTime Now() const override { return wall_; }
  Duration BootNow() const override { return boot_; }
  std::string BootId() const override {
    return "boot-" + std::to_string(boots_);
  }

  void Advance(Duration d) {
    wall_ += d;
    boot_ += d;
  }
  void JumpWall(Duration d) { wall_ += d; }
  void SetWall(WallTime t) { wall_ = t; }
  void Reboot() {
    ++boots_;
    boot_ = std::chrono::seconds(10);
  }

 private:
  WallTime wall_;
  Duration boot_;
  int boots_ = 1;
};

}  // namespace retention
