// Scheduler: decides when each policy runs. It never sleeps and never reads
// a clock: callers pass boot time (Clock::BootNow) in, TakeDue() hands back
// what is due, NextDue() tells the main loop how long it may wait. A run that
// was missed (the machine slept, the daemon was busy) fires once, then the
// policy's period restarts from that run: 395 missed daily runs are one run.
// Policies with the same period are spread by a jitter derived from their id,
// so the spread is the same on every start and in every test.
//
// Threading: not thread-safe; owned and driven by the main loop.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace retention {

class Scheduler {
 public:
  // The jitter for `id` with period `every`: in [0, min(every / 10, 30s)).
  static Duration Jitter(const std::string& id, Duration every);

  // Adds or updates a policy. A new id is first due at now + Jitter; an
  // existing id keeps its next deadline unless its period changed.
  // Precondition: every > 0.
  void Set(const std::string& id, Duration every, Duration now);
  // Drops every id not in `keep` (after a reload removed policies).
  void Retain(const std::vector<std::string>& keep);
  // Makes `id` due at `now` (an operator asked for a run).
  void MakeDue(const std::string& id, Duration now);

  // Brings `id`'s next deadline forward to `at` (a calendar boundary a
  // policy asked for, Policy::NextWake) when that is earlier; a later `at`
  // changes nothing. Unknown ids are ignored.
  void WakeAt(const std::string& id, Duration at);

  // Sets `id`'s next deadline to `at`, earlier or later (a watched log
  // set that is settled waits for its next deadline, not for every).
  // Unknown ids are ignored.
  void SetNext(const std::string& id, Duration at);

  // Ids due at `now`, earliest deadline first; each is rescheduled to
  // now + every.
  std::vector<std::string> TakeDue(Duration now);
  // The earliest deadline, or nullopt when nothing is scheduled.
  std::optional<Duration> NextDue() const;
  // The deadline of `id`, or nullopt when it is not scheduled.
  std::optional<Duration> NextDueOf(const std::string& id) const;

 private:
  struct Entry {
    Duration every{};
    Duration next{};
  };
  std::map<std::string, Entry> entries_;
};

}  // namespace retention
