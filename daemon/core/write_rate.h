// WriteRate: how fast a live log grows, estimated from the sizes the log
// watcher sees, and RotationLead: how many bytes a writer at that rate adds
// while a rotation runs. A file whose size plus that lead reaches its cap is
// rotated now, so that it never grows far past the cap while its head is
// being copied (method truncate: copying and syncing a 200M head takes about
// 0.4 s, in which a writer at 100 MB/s adds 40M). Pure, thread-compatible.
#pragma once

#include <cstdint>
#include <optional>

#include "base/clock.h"

namespace retention {

class WriteRate {
 public:
  // Samples closer together than this are merged into the next one: a
  // rate over a few microseconds says nothing.
  static constexpr Duration kMinInterval = std::chrono::milliseconds(10);

  // A size seen at monotonic time `at` (never earlier than the last). A
  // smaller size (a rotation, a truncation) restarts the measurement but
  // keeps the last rate, which the next fill most likely repeats.
  void Observe(Duration at, uint64_t size);
  // Bytes per second, smoothed (each new interval weighs one half); 0
  // until two samples kMinInterval apart were seen.
  double bytes_per_second() const { return rate_; }

 private:
  std::optional<Duration> at_;
  uint64_t size_ = 0;
  double rate_ = 0;
};

// The bytes a writer at `bytes_per_second` adds during `rotation_time`,
// capped at `max_lead`, or at half of `cap` when that is 0 (a wild
// estimate never halves the archives more).
uint64_t RotationLead(double bytes_per_second, Duration rotation_time,
                      uint64_t cap, uint64_t max_lead = 0);

}  // namespace retention
