// Calendar rotation of the [logs.NAME] kind (rotate_every): whether a live
// file of a snapshot is due by the calendar now, and why. Used by the pure
// planner (logs_planner.h, which documents the rule). Pure, thread-safe.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"
#include "kinds/logs/logs_planner.h"
#include "kinds/logs/logs_rule.h"

namespace retention {

// When `live` was last rotated: the time of its newest archive in
// `snapshot` (the name's time; numbered naming: the later of its mtime and
// ctime), else snapshot.first_seen's entry, else nullopt (unknown).
std::optional<WallTime> LastRotation(const LogsRule& rule,
                                     const LogSetSnapshot& snapshot,
                                     const LogsEntry& live);

// "daily rotation (period began 2026-12-05T00:00Z)" when `live` is due by
// rule.rotate_every at `now` (a period began after its last rotation, it
// holds at least min_size bytes, is not empty unless rotate_empty, and with
// method truncate holds more than one 4K block, the least it can move);
// "" otherwise, and always without rotate_every.
std::string CalendarRotationReason(const LogsRule& rule,
                                   const LogSetSnapshot& snapshot,
                                   const LogsEntry& live, WallTime now);

}  // namespace retention
