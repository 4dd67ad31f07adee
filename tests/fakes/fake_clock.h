// FakeClock: a Clock tests move by hand. Advance() moves wall and boot time
// together (time passing); JumpWall() moves only the wall clock (someone set
// the date); Reboot() starts a new boot. Not thread-safe: tests drive it from
// one thread.
#pragma once

#include <chrono>
#include <thread>
#include <vector>

#include "base/clock.h"

namespace retention {

class FakeClock final : public Clock {
 public:
  // 2026-01-01T00:00:00Z, an hour after boot.
  FakeClock()
      : wall_(FromUnixSeconds(1767225600)), boot_(std::chrono::hours(1)) {}

  WallTime Now() const override {
    Pass();
    return wall_;
  }
  Duration BootNow() const override {
    Pass();
    return boot_;
  }
  std::string BootId() const override {
    return "boot-" + std::to_string(boots_);
  }
  // Yields about a millisecond of real time and moves no clock (other
  // threads may read this one): code that waits through Sleep counts the
  // time it asked for, so a 30 s wait passes in about 120 polls.
  void Sleep(Duration) const override {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
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
  // Every later read of Now() or BootNow() first lets the next of `costs`
  // pass (both clocks advance), taking them in turn; empty: reads are free.
  void SetReadCosts(std::vector<Duration> costs) {
    costs_ = std::move(costs);
    next_cost_ = 0;
  }

 private:
  void Pass() const {
    if (costs_.empty()) return;
    const Duration d = costs_[next_cost_++ % costs_.size()];
    wall_ += d;
    boot_ += d;
  }

  mutable WallTime wall_;
  mutable Duration boot_;
  int boots_ = 1;
  std::vector<Duration> costs_;
  mutable size_t next_cost_ = 0;
};

}  // namespace retention
